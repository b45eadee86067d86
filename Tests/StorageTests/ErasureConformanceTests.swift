import Foundation
import Switchboard
import Testing

/// Erasing a customer (CONTRACT.md §12) and changing or deleting contacts (§5), through the store.
@Suite("Store conformance: erasure and contact changes")
struct ErasureConformanceTests {
    static let erased = "+14155550123"
    static let other = "+14155550999"

    /// The customer on two channels (one conversation closed, one open with a queued reply), two contacts with the
    /// number, another customer beside it, and agent events mentioning each.
    static func seed(
        _ store: any Store, optOut: Bool = true
    ) async throws -> (open: Conversation, closed: Conversation, kept: Conversation) {
        try await store.createContact(contact("c-1", phone: erased))
        try await store.createContact(contact("c-2", phone: erased, createdAt: at(1)))
        try await store.createContact(contact("c-3", phone: other))
        let closed = try await stored(inbound(key: "e-1", from: erased, text: "first secret"), in: store).conversation
        _ = try await store.closeConversation(id: closed.id, at: at(5))
        let open = try await stored(
            inbound(key: "e-2", from: erased, channelID: "vonage-eu", text: "second secret", receivedAt: at(6)),
            in: store
        ).conversation
        _ = try await store.enqueueReply(
            ReplyRecord(conversationID: open.id, agentID: "alice", text: "agent answer", createdAt: at(7)))
        let kept = try await stored(inbound(key: "k-1", from: other, text: "kept text"), in: store).conversation
        if optOut { try await store.setOptedOut(channelID: channel, customer: erased, optedOut: true, at: at(8)) }
        _ = try await store.appendAgentEvent(
            agentID: "alice", type: "notification", data: #"{"conversationId":"\#(open.id)"}"#, at: at(6))
        _ = try await store.appendAgentEvent(
            agentID: "alice", type: "message", data: #"{"customer":{"phone":"\#(erased)"}}"#, at: at(6))
        _ = try await store.appendAgentEvent(
            agentID: "alice", type: "message", data: #"{"conversationId":"\#(kept.id)"}"#, at: at(6))
        return (open, closed, kept)
    }

    @Test(arguments: StoreKind.allCases)
    func erasingACustomerDeletesEverythingButTheOptOut(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (open, closed, kept) = try await Self.seed(store)
            let result = try await store.eraseCustomer(Self.erased)
            #expect(
                result
                    == CustomerErasureResult(contacts: 2, conversations: 2, messages: 3, openConversationIDs: [open.id])
            )

            #expect(try await store.contacts(mobilePhoneE164: Self.erased).isEmpty)
            #expect(try await store.contact(id: "c-1") == nil)
            #expect(try await store.conversations(matching: .init(customerPhone: Self.erased)).isEmpty)
            #expect(try await store.conversation(id: open.id) == nil)
            #expect(try await store.conversation(id: closed.id) == nil)
            #expect(try await store.messages(conversationID: open.id).isEmpty)
            #expect(try await store.dueOutboxItems(now: at(1000), limit: 10).isEmpty)
            #expect(try await store.outboxDepth() == 0)
            // Only the opt-out state is kept.
            #expect(try await store.isOptedOut(channelID: channel, customer: Self.erased))
            // The dedupe keys went too: a redelivery is stored as new (into a new conversation).
            let again = try await stored(inbound(key: "e-1", from: Self.erased, receivedAt: at(20)), in: store)
            #expect(again.opened)
            // Agents' replay logs forget the customer's events, not the others'.
            let events = try await store.agentEvents(agentID: "alice", after: 0)
            #expect(events.map(\.data) == [#"{"conversationId":"\#(kept.id)"}"#])

            // The other customer is untouched.
            #expect(try await store.contacts(mobilePhoneE164: Self.other).map(\.id) == ["c-3"])
            #expect(try await store.messages(conversationID: kept.id).map(\.text) == ["kept text"])
            #expect(try await store.conversation(id: kept.id)?.match.contact?.id == "c-3")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func erasingAnUnknownCustomerDeletesNothing(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.seed(store)
            #expect(try await store.eraseCustomer("+14155550777") == CustomerErasureResult())
            #expect(try await store.contacts(mobilePhoneE164: Self.erased).count == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func contactChangesShowAtOnceAndTheMatchFollowsAtTheNextMessage(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.createContact(contact("c-1", phone: customer))
            let conversation = try await openConversation(in: store)
            #expect(conversation.match.contact?.id == "c-1")

            var changed = try #require(try await store.contact(id: "c-1"))
            changed.name = "Renamed"
            changed.attributes = ["tier": "silver"]
            #expect(try await store.updateContact(changed))
            #expect(try await store.contact(id: "c-1") == changed)
            #expect(try await store.conversation(id: conversation.id)?.match.contact?.name == "Renamed")

            // A new number: the conversation of the old one no longer matches it at its next message.
            changed.mobilePhone = "+14155550111"
            changed.mobilePhoneE164 = "+14155550111"
            #expect(try await store.updateContact(changed))
            #expect(try await store.contacts(mobilePhoneE164: customer).isEmpty)
            let next = try await stored(inbound(key: "in-2", receivedAt: at(5)), in: store).conversation
            #expect(next.id == conversation.id)
            #expect(next.match == ContactMatch.none)
            #expect(try await store.conversation(id: conversation.id)?.match == ContactMatch.none)

            var unknown = changed
            unknown.id = "c-unknown"
            #expect(try await !store.updateContact(unknown))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingAContactUnlinksItsConversations(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.createContact(contact("c-1", phone: customer))
            let conversation = try await openConversation(in: store)
            #expect(try await store.deleteContact(id: "c-1"))
            #expect(try await !store.deleteContact(id: "c-1"))
            #expect(try await store.contact(id: "c-1") == nil)
            #expect(try await store.conversation(id: conversation.id)?.match.contact == nil)
            let next = try await stored(inbound(key: "in-2", receivedAt: at(5)), in: store).conversation
            #expect(next.match == ContactMatch.none)
        }
    }
}
