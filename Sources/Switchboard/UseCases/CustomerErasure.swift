import Foundation

/// `DELETE /v1/customers/{phone}` (CONTRACT.md §12): erases one customer everywhere. The open conversations are
/// closed through the router first (pending offers withdrawn, capacity released, the holder told), then the store
/// deletes the contacts with that number and every conversation, message and related row of the customer on every
/// channel, keeping only the opt-out state (carriers require it).
public struct CustomerErasure: Sendable {
    let store: any ErasureStore & ConversationStore
    let router: any CoreRouter
    let defaultRegion: String
    let clock: any WallClock

    public init(
        store: any ErasureStore & ConversationStore, router: any CoreRouter, defaultRegion: String,
        clock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.router = router
        self.defaultRegion = defaultRegion
        self.clock = clock
    }

    /// What was erased (the route's `{"erased": …}`).
    public struct Erased: Sendable, Equatable, Codable {
        public var contacts: Int
        public var conversations: Int
        public var messages: Int
    }

    /// Erases the customer whose number is `phone` as a person typed it (read with `defaultRegion`; a leading `+`
    /// for international numbers). `400` (field `phone`) for a number that is not possible.
    public func erase(phone: String) async throws -> Erased {
        let number: PhoneNumber
        do {
            number = try PhoneNumber.parse(phone, region: defaultRegion)
        } catch {
            throw SwitchboardError.invalidRequest("phone: \(error)", field: "phone")
        }
        let customer = number.e164
        let open = try await store.conversations(
            matching: ConversationFilter(customerPhone: customer, status: .open, limit: 100_000))
        for conversation in open {
            _ = try await store.closeConversation(id: conversation.id, at: clock.now())
            await router.closeConversation(id: conversation.id, reason: .closedBySupervisor)
        }
        let result = try await store.eraseCustomer(customer)
        // A message that arrived after the closing above opened a conversation the router may hold: release it.
        for id in result.openConversationIDs {
            await router.closeConversation(id: id, reason: .closedBySupervisor)
        }
        return Erased(contacts: result.contacts, conversations: result.conversations, messages: result.messages)
    }
}
