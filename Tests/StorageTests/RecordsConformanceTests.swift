import Foundation
import Switchboard
import Testing

/// Contacts, conversation queries and updates, opt-outs, ping.
@Suite("Store conformance: records")
struct RecordsConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func contactRoundTrips(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let alice = Contact(
                id: "c-1", name: "Alice Ärger", mobilePhone: "(415) 555-0100", mobilePhoneE164: customer, region: "US",
                attributes: ["crm": "4711", "note": "prefers \"SMS\""], createdAt: at(1))
            try await store.ping()
            try await store.createContact(alice)
            #expect(try await store.contact(id: "c-1") == alice)
            #expect(try await store.contact(id: "c-unknown") == nil)
            #expect(try await store.contacts(mobilePhoneE164: customer) == [alice])
            #expect(try await store.contacts(mobilePhoneE164: "(415) 555-0100").isEmpty)
            await expectSwitchboardError(status: 409) { try await store.createContact(alice) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func importSkipsExistingIDsAndSharesNumbers(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.createContact(contact("c-1", createdAt: at(1)))
            let inserted = try await store.importContacts([
                contact("c-1", createdAt: at(9)), contact("c-3", createdAt: at(3)), contact("c-2", createdAt: at(2)),
                contact("c-9", phone: "+14155550199"),
            ])
            #expect(inserted == 3)
            #expect(try await store.contacts(mobilePhoneE164: customer).map(\.id) == ["c-1", "c-2", "c-3"])
            #expect(try await store.contact(id: "c-1")?.createdAt == at(1))
            #expect(try await store.importContacts([]) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func conversationFilters(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await stored(inbound(key: "a", from: "+14155550001", receivedAt: at(1)), in: store).conversation
            let b = try await stored(inbound(key: "b", from: "+14155550002", receivedAt: at(2)), in: store).conversation
            let c = try await stored(
                inbound(key: "c", from: "+14155550001", channelID: "vonage-eu", receivedAt: at(3)), in: store
            ).conversation
            try await store.assignConversation(id: b.id, to: "alice")
            try await store.assignConversation(id: c.id, to: "alice")
            _ = try await store.closeConversation(id: c.id, at: at(4))
            let d = try await stored(
                inbound(key: "d", from: "+14155550001", channelID: "vonage-eu", receivedAt: at(5)), in: store
            ).conversation

            func ids(_ filter: ConversationFilter) async throws -> [String] {
                try await store.conversations(matching: filter).map(\.id)
            }
            #expect(try await ids(ConversationFilter()) == [d.id, c.id, b.id, a.id])
            #expect(try await ids(ConversationFilter(channelID: channel)) == [b.id, a.id])
            #expect(try await ids(ConversationFilter(customerPhone: "+14155550001")) == [d.id, c.id, a.id])
            #expect(
                try await ids(ConversationFilter(channelID: "vonage-eu", customerPhone: "+14155550001")) == [
                    d.id, c.id,
                ])
            #expect(try await ids(ConversationFilter(status: .open)) == [d.id, b.id, a.id])
            #expect(try await ids(ConversationFilter(status: .closed)) == [c.id])
            #expect(try await ids(ConversationFilter(assignedAgent: "alice")) == [c.id, b.id])
            #expect(try await ids(ConversationFilter(status: .open, assignedAgent: "alice")) == [b.id])
            #expect(try await ids(ConversationFilter(assignedAgent: "bob")).isEmpty)
            #expect(try await ids(ConversationFilter(limit: 2)) == [d.id, c.id])
            #expect(try await store.conversation(id: b.id)?.assignedAgent == "alice")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func assignAndUnassign(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            try await store.assignConversation(id: conversation.id, to: "alice")
            #expect(try await store.conversation(id: conversation.id)?.assignedAgent == "alice")
            try await store.assignConversation(id: conversation.id, to: nil)
            #expect(try await store.conversation(id: conversation.id)?.assignedAgent == nil)
            await expectSwitchboardError(status: 404) {
                try await store.assignConversation(id: "conv_unknown", to: "a")
            }
            #expect(try await store.conversation(id: "conv_unknown") == nil)
            #expect(try await store.message(id: "msg_unknown") == nil)
            #expect(try await store.messages(conversationID: "conv_unknown").isEmpty)
            #expect(try await store.statusHistory(messageID: "msg_unknown").isEmpty)
        }
    }

    /// Several changes in one call: each conversation ends as its last change says; an unknown one fails alone.
    @Test(arguments: StoreKind.allCases)
    func assignSeveralInOneCall(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await stored(inbound(key: "a", from: "+14155550001"), in: store).conversation
            let b = try await stored(inbound(key: "b", from: "+14155550002"), in: store).conversation
            try await store.assignConversation(id: b.id, to: "carol")
            let errors = await store.assignConversations([
                ConversationAssignment(conversationID: a.id, agentID: "alice"),
                ConversationAssignment(conversationID: b.id, agentID: nil),
                ConversationAssignment(conversationID: "conv_unknown", agentID: "alice"),
                ConversationAssignment(conversationID: a.id, agentID: "bob"),
            ])
            #expect(errors.map { $0 == nil } == [true, true, false, true])
            #expect((errors[2] as? SwitchboardError)?.status == 404)
            #expect(try await store.conversation(id: a.id)?.assignedAgent == "bob")
            #expect(try await store.conversation(id: b.id)?.assignedAgent == nil)
            #expect(await store.assignConversations([]).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func optOutIsPerChannelAndCustomer(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.setOptedOut(channelID: channel, customer: customer, optedOut: true, at: t0)
            // Setting it twice is harmless.
            try await store.setOptedOut(channelID: channel, customer: customer, optedOut: true, at: at(1))
            #expect(try await store.isOptedOut(channelID: channel, customer: customer))
            #expect(try await !store.isOptedOut(channelID: "vonage-eu", customer: customer))
            #expect(try await !store.isOptedOut(channelID: channel, customer: "+14155550199"))
            try await store.setOptedOut(channelID: channel, customer: customer, optedOut: false, at: at(2))
            #expect(try await !store.isOptedOut(channelID: channel, customer: customer))
            try await store.setOptedOut(channelID: channel, customer: customer, optedOut: false, at: at(3))
            #expect(try await !store.isOptedOut(channelID: channel, customer: customer))
        }
    }
}
