import Foundation

/// Erasing one customer everywhere (CONTRACT.md §12 `DELETE /v1/customers/{phone}`), in one transaction.
public protocol ErasureStore: Sendable {
    /// Deletes every contact whose mobile number is `customer` (E.164), and every conversation with `customer` on
    /// every channel with all that hangs on it: messages and their status history, outbox entries, delivery reports
    /// waiting for those messages, dedupe keys pointing to them, parts of concatenated messages from the customer,
    /// and agent events (SSE replay) that mention the customer, its contacts or its conversations. Only the opt-out
    /// state of (channel, customer) is kept.
    ///
    /// Open conversations should be closed through the router first; any still open (a message that arrived
    /// meanwhile) are deleted too and listed in ``CustomerErasureResult/openConversationIDs`` so the caller can
    /// tell the router.
    func eraseCustomer(_ customer: String) async throws -> CustomerErasureResult
}

/// What ``ErasureStore/eraseCustomer(_:)`` deleted.
public struct CustomerErasureResult: Sendable, Equatable {
    public var contacts: Int
    public var conversations: Int
    public var messages: Int
    /// Conversations that were still open when deleted.
    public var openConversationIDs: [String]

    public init(contacts: Int = 0, conversations: Int = 0, messages: Int = 0, openConversationIDs: [String] = []) {
        self.contacts = contacts
        self.conversations = conversations
        self.messages = messages
        self.openConversationIDs = openConversationIDs
    }
}
