import Foundation
import Switchboard
import Testing

/// `recordInbound`: dedupe, contact matching, opening and continuing conversations.
@Suite("Store conformance: inbound")
struct InboundConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func firstMessageOpensConversation(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let media = [MediaAttachment(url: "https://example.com/a.jpg", contentType: "image/jpeg")]
            let (conversation, message, opened) = try await stored(
                inbound(key: "k1", text: "my order?", media: media), in: store)

            #expect(opened)
            #expect(conversation.channelID == channel)
            #expect(conversation.customerPhone == customer)
            #expect(conversation.status == .open)
            #expect(conversation.queue == "support")
            #expect(conversation.medium == .sms)
            #expect(conversation.createdAt == t0)
            #expect(conversation.closedAt == nil)
            #expect(conversation.assignedAgent == nil)
            #expect(message.conversationID == conversation.id)
            #expect(message.direction == .inbound)
            #expect(message.author == .customer)
            #expect(message.status == .received)
            #expect(message.text == "my order?")
            #expect(message.media == media)
            #expect(message.providerMessageID == "SM-k1")
            #expect(message.createdAt == t0)

            // What was returned is what is stored.
            #expect(try await store.conversation(id: conversation.id) == conversation)
            #expect(try await store.message(id: message.id) == message)
            #expect(try await store.messages(conversationID: conversation.id) == [message])
            #expect(
                try await store.statusHistory(messageID: message.id) == [
                    MessageStatusChange(messageID: message.id, status: .received, error: nil, at: t0)
                ])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func redeliveryIsDuplicateWithFirstIDs(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(inbound(key: "evt-1"), in: store)
            let again = try await store.recordInbound(inbound(key: "evt-1", text: "different body", receivedAt: at(5)))

            #expect(again == .duplicate(conversationID: first.conversation.id, messageID: first.message.id))
            #expect(try await store.messages(conversationID: first.conversation.id) == [first.message])
            #expect(try await store.conversations(matching: ConversationFilter()).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func dedupeKeysArePerChannel(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(inbound(key: "evt-1"), in: store)
            let other = try await stored(inbound(key: "evt-1", channelID: "vonage-eu"), in: store)
            #expect(other.opened)
            #expect(other.conversation.id != first.conversation.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func nextMessageContinuesOpenConversation(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(inbound(key: "k1", text: "one"), in: store)
            let second = try await stored(inbound(key: "k2", text: "two", receivedAt: at(1)), in: store)

            #expect(!second.opened)
            #expect(second.conversation.id == first.conversation.id)
            #expect(
                try await store.messages(conversationID: first.conversation.id).map(\.text) == ["one", "two"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func otherCustomerOrChannelOpensItsOwnConversation(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(inbound(key: "k1"), in: store)
            let otherCustomer = try await stored(inbound(key: "k2", from: "+14155550199"), in: store)
            let otherChannel = try await stored(inbound(key: "k3", channelID: "telnyx-us"), in: store)
            #expect(otherCustomer.opened && otherChannel.opened)
            #expect(
                Set([first.conversation.id, otherCustomer.conversation.id, otherChannel.conversation.id]).count == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func afterCloseNextMessageOpensNewConversation(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(inbound(key: "k1"), in: store)
            let closed = try #require(try await store.closeConversation(id: first.conversation.id, at: at(60)))
            #expect(closed.status == .closed)
            #expect(closed.closedAt == at(60))

            // Closing again changes nothing.
            let closedAgain = try await store.closeConversation(id: first.conversation.id, at: at(90))
            #expect(closedAgain == closed)
            #expect(try await store.closeConversation(id: "conv_unknown", at: at(90)) == nil)

            let next = try await stored(inbound(key: "k2", receivedAt: at(120)), in: store)
            #expect(next.opened)
            #expect(next.conversation.id != first.conversation.id)
            #expect(try await store.messages(conversationID: first.conversation.id).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func authorAndMediumAreKept(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let transcript = try await stored(
                inbound(key: "bot-1", channelID: "bot", medium: .voice, author: .bot), in: store)
            #expect(transcript.conversation.medium == .voice)
            #expect(transcript.message.author == .bot)
            #expect(try await store.message(id: transcript.message.id)?.author == .bot)
        }
    }

    // MARK: Contact matching

    @Test(arguments: StoreKind.allCases)
    func unknownNumberMatchesNoContact(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.createContact(contact("c-other", phone: "+14155550199"))
            let (conversation, _, _) = try await stored(inbound(key: "k1"), in: store)
            #expect(conversation.match == .none)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oneContactIsLinked(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let known = contact("c-1")
            try await store.createContact(known)
            let (conversation, _, _) = try await stored(inbound(key: "k1"), in: store)
            #expect(conversation.match == ContactMatch(count: 1, contact: known, candidateIDs: []))
            #expect(try await store.conversation(id: conversation.id)?.match.contact == known)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func severalContactsAreCandidatesOldestFirst(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.importContacts([contact("c-b", createdAt: at(2)), contact("c-a", createdAt: at(1))])
            try await store.createContact(contact("c-c", createdAt: at(3)))
            let (conversation, _, _) = try await stored(inbound(key: "k1"), in: store)
            #expect(conversation.match == ContactMatch(count: 3, contact: nil, candidateIDs: ["c-a", "c-b", "c-c"]))
            #expect(try await store.conversation(id: conversation.id)?.match == conversation.match)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func candidatesAreCappedAtTen(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let contacts = (0..<12).map { contact("c-\($0)", createdAt: at(Double($0))) }
            #expect(try await store.importContacts(contacts) == 12)
            let (conversation, _, _) = try await stored(inbound(key: "k1"), in: store)
            #expect(conversation.match.count == 12)
            #expect(conversation.match.contact == nil)
            #expect(conversation.match.candidateIDs == (0..<10).map { "c-\($0)" })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func nonPhoneSenderMatchesNoContact(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // Even a contact stored under exactly that text is not matched: short codes are no mobile numbers.
            try await store.createContact(contact("c-short", phone: "12345"))
            let (conversation, _, _) = try await stored(
                inbound(key: "k1", from: "12345", isPhoneNumber: false), in: store)
            #expect(conversation.match == .none)
            #expect(conversation.customerPhone == "12345")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func contactAddedLaterIsMatchedOnNextMessage(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(inbound(key: "k1"), in: store)
            #expect(first.conversation.match == .none)
            let known = contact("c-1")
            try await store.createContact(known)
            let second = try await stored(inbound(key: "k2", receivedAt: at(1)), in: store)
            #expect(second.conversation.id == first.conversation.id)
            #expect(second.conversation.match.contact == known)
            #expect(try await store.conversation(id: first.conversation.id)?.match.contact == known)
        }
    }

    // MARK: Concurrency

    @Test(arguments: StoreKind.allCases)
    func concurrentFirstMessagesOpenOneConversation(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let outcomes = try await withThrowingTaskGroup(of: InboundOutcome.self) { group in
                for index in 0..<20 {
                    group.addTask { try await store.recordInbound(inbound(key: "k\(index)", text: "\(index)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let stored = outcomes.compactMap { outcome -> (String, Bool)? in
                guard case .stored(let conversation, _, let opened) = outcome else { return nil }
                return (conversation.id, opened)
            }
            #expect(stored.count == 20)
            #expect(Set(stored.map(\.0)).count == 1)
            #expect(stored.filter(\.1).count == 1)
            let conversations = try await store.conversations(matching: ConversationFilter(customerPhone: customer))
            #expect(conversations.count == 1)
            #expect(try await store.messages(conversationID: conversations[0].id).count == 20)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRedeliveriesStoreOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let outcomes = try await withThrowingTaskGroup(of: InboundOutcome.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.recordInbound(inbound(key: "same-event")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var storedIDs: [(String, String)] = []
            var duplicateIDs: [(String?, String?)] = []
            for outcome in outcomes {
                switch outcome {
                case .stored(let conversation, let message, _): storedIDs.append((conversation.id, message.id))
                case .duplicate(let conversationID, let messageID): duplicateIDs.append((conversationID, messageID))
                }
            }
            try #require(storedIDs.count == 1)
            #expect(duplicateIDs.count == 19)
            #expect(duplicateIDs.allSatisfy { $0.0 == storedIDs[0].0 && $0.1 == storedIDs[0].1 })
            #expect(try await store.messages(conversationID: storedIDs[0].0).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func timesAreKeptToTheMillisecond(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let received = Date(timeIntervalSince1970: 1_750_000_000.123_456)
            let (conversation, message, _) = try await stored(inbound(key: "k1", receivedAt: received), in: store)
            let milliseconds = Date(timeIntervalSince1970: 1_750_000_000.123)
            #expect(abs(message.createdAt.timeIntervalSince(milliseconds)) < 0.000_001)
            #expect(try await store.message(id: message.id) == message)
            #expect(try await store.conversation(id: conversation.id)?.createdAt == conversation.createdAt)
        }
    }
}

/// `openConversation`: an outbound-first conversation is the same conversation later inbound messages continue.
@Suite("Store conformance: opening conversations")
struct OpenConversationConformanceTests {
    static func opening(at date: Date = t0) -> ConversationOpening {
        ConversationOpening(
            channelID: channel, customerPhone: customer, customerIsPhoneNumber: true, medium: .sms, queue: "support",
            at: date)
    }

    @Test(arguments: StoreKind.allCases)
    func opensOnceThenContinues(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.createContact(contact("c1"))
            let (first, opened) = try await store.openConversation(Self.opening())
            #expect(opened)
            #expect(first.match.contact?.id == "c1")
            #expect(first.status == .open)
            let (again, openedAgain) = try await store.openConversation(Self.opening(at: at(5)))
            #expect(!openedAgain)
            #expect(again.id == first.id)
            // The customer's answer continues it.
            let (conversation, _, openedByInbound) = try await stored(inbound(key: "k1", receivedAt: at(9)), in: store)
            #expect(!openedByInbound)
            #expect(conversation.id == first.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aClosedConversationIsNotContinued(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (first, _) = try await store.openConversation(Self.opening())
            _ = try await store.closeConversation(id: first.id, at: at(1))
            let (second, opened) = try await store.openConversation(Self.opening(at: at(2)))
            #expect(opened)
            #expect(second.id != first.id)
        }
    }
}
