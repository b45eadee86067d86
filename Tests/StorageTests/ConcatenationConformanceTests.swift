import Foundation
import Switchboard
import Testing

/// `recordInboundPart` and `flushConcatenations`: parts in any order, duplicated or interleaved with other
/// senders' parts become one message in part order; incomplete ones are delivered after the wait.
@Suite("Store conformance: concatenated messages")
struct ConcatenationConformanceTests {
    func part(
        _ number: Int, of total: Int, text: String, from sender: String = customer, reference: String = "108",
        id: String? = nil, receivedAt: Date = t0
    ) -> InboundRecord {
        var record = inbound(
            key: id ?? "\(sender)-\(reference)-\(number)", from: sender, text: text, receivedAt: receivedAt)
        record.concatenation = ConcatenationPart(
            recipient: "447700900000", reference: reference, part: number, total: total)
        return record
    }

    func completedMessage(_ outcome: InboundPartOutcome) throws -> Message {
        guard case .completed(.stored(_, let message, _)) = outcome else {
            throw UnexpectedOutcome(description: "expected a completed message, got \(outcome)")
        }
        return message
    }

    @Test(arguments: StoreKind.allCases)
    func partsInAnyOrderWithDuplicatesAndOtherSenders(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.recordInboundPart(part(3, of: 3, text: "Three.")) == .waiting)
            #expect(try await store.recordInboundPart(part(1, of: 3, text: "One, ", from: "+14155550111")) == .waiting)
            #expect(try await store.recordInboundPart(part(1, of: 3, text: "One, ")) == .waiting)
            // The same part again, by id and by number under another id.
            #expect(try await store.recordInboundPart(part(3, of: 3, text: "Three.")) == .duplicate)
            #expect(try await store.recordInboundPart(part(1, of: 3, text: "One, ", id: "other-id")) == .duplicate)
            #expect(try await store.conversations(matching: ConversationFilter()).isEmpty)
            let message = try completedMessage(try await store.recordInboundPart(part(2, of: 3, text: "two, ")))
            #expect(message.text == "One, two, Three.")
            #expect(message.providerMessageID == "SM-\(customer)-108-1")
            // Once assembled, a late redelivery of any part changes nothing.
            #expect(try await store.recordInboundPart(part(2, of: 3, text: "two, ")) == .duplicate)
            #expect(try await store.messages(conversationID: message.conversationID).count == 1)
            // The other sender's message is still waiting; the same reference reused later is a new message.
            #expect(try await store.recordInboundPart(part(1, of: 2, text: "New ", id: "n1")) == .waiting)
            let again = try completedMessage(try await store.recordInboundPart(part(2, of: 2, text: "one", id: "n2")))
            #expect(again.text == "New one")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func incompleteMessagesAreDeliveredAfterTheWait(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.recordInboundPart(part(1, of: 3, text: "Hello ", receivedAt: at(0)))
            _ = try await store.recordInboundPart(part(3, of: 3, text: " bye", receivedAt: at(20)))
            _ = try await store.recordInboundPart(part(2, of: 2, text: "later", reference: "9", receivedAt: at(50)))
            #expect(try await store.flushConcatenations(channelID: channel, firstPartBefore: at(0)).isEmpty)
            let flushed = try await store.flushConcatenations(channelID: channel, firstPartBefore: at(30))
            #expect(flushed.count == 1)
            guard case .stored(_, let message, _) = flushed.first else {
                Issue.record("expected a stored message, got \(flushed)")
                return
            }
            #expect(message.text == "Hello [part 2 of 3 missing] bye")
            #expect(message.createdAt == at(20))
            #expect(try await store.flushConcatenations(channelID: channel, firstPartBefore: at(30)).isEmpty)
            // A redelivery of a part already delivered (incomplete) changes nothing.
            #expect(try await store.recordInboundPart(part(1, of: 3, text: "Hello ", receivedAt: at(60))) == .duplicate)
        }
    }

    @Test(arguments: StoreKind.persistent)
    func partsSurviveARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            #expect(try await database.open().recordInboundPart(part(2, of: 2, text: "world")) == .waiting)
            let reopened = try await database.open()
            let message = try completedMessage(try await reopened.recordInboundPart(part(1, of: 2, text: "hello ")))
            #expect(message.text == "hello world")
        }
    }
}
