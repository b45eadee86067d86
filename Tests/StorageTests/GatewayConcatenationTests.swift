import Foundation
import Storage
import Switchboard
import Testing

/// The gateway turns parts into one message and, on a virtual clock, delivers incomplete ones after the
/// channel's `concatWaitSeconds`.
@Suite("Gateway: concatenated messages", .timeLimit(.minutes(1)))
struct GatewayConcatenationTests {
    final class VirtualClock: WallClock, @unchecked Sendable {
        private let lock = NSLock()
        private var current = t0
        func now() -> Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    }

    actor RecordingRouter: CoreRouter {
        var notified: [NotificationRequest] = []
        var arrived: [Message] = []
        func notify(_ request: NotificationRequest) async { notified.append(request) }
        func messageArrived(_ message: Message, in conversation: Conversation) async { arrived.append(message) }
        func messageStatusChanged(_ message: Message, in conversation: Conversation) async {}
        func closeConversation(id: String, reason: ConversationCloseReason) async {}
    }

    static let vonage = Configuration.Channel(
        id: "vonage-main", provider: "vonage", numbers: ["+447700900000"], concatWaitSeconds: 30)

    func part(_ number: Int, of total: Int, _ text: String, reference: String, at date: Date) -> InboundEvent {
        .message(
            InboundMessage(
                providerMessageID: "id-\(reference)-\(number)", dedupeKey: "id-\(reference)-\(number)",
                from: "447700900001", to: "447700900000", text: text, receivedAt: date,
                concatenation: ConcatenationPart(
                    recipient: "447700900000", reference: reference, part: number, total: total)))
    }

    @Test func partsBecomeOneMessageAndStragglersAreFlushed() async throws {
        let store = try SQLiteStore(path: ":memory:")
        let clock = VirtualClock()
        let router = RecordingRouter()
        let gateway = Gateway(
            configuration: Configuration(channels: [Self.vonage]), store: store, router: router,
            capabilities: [Self.vonage.id: ChannelCapabilities(joinsMessageParts: true)], clock: clock)

        #expect(
            try await gateway.ingest(part(2, of: 2, "world", reference: "1", at: clock.now()), on: Self.vonage)
                == .stored)
        #expect(await router.notified.isEmpty)
        #expect(
            try await gateway.ingest(part(2, of: 2, "world", reference: "1", at: clock.now()), on: Self.vonage)
                == .duplicate)
        #expect(
            try await gateway.ingest(part(1, of: 2, "hello ", reference: "1", at: clock.now()), on: Self.vonage)
                == .stored)
        let notified = await router.notified
        #expect(notified.count == 1)
        let conversationID = try #require(notified.first?.conversationID)
        #expect(try await store.messages(conversationID: conversationID).map(\.text) == ["hello world"])

        // An incomplete message: nothing before the wait, then one message marked incomplete.
        _ = try await gateway.ingest(part(1, of: 3, "Where is ", reference: "2", at: clock.now()), on: Self.vonage)
        clock.advance(29)
        #expect(try await gateway.flushIncompleteConcatenations(now: clock.now()) == 0)
        clock.advance(2)
        #expect(try await gateway.flushIncompleteConcatenations(now: clock.now()) == 1)
        #expect(
            try await store.messages(conversationID: conversationID).map(\.text) == [
                "hello world", "Where is [part 2 of 3 missing][part 3 of 3 missing]",
            ])
        #expect(await router.arrived.count == 1)
        #expect(try await gateway.flushIncompleteConcatenations(now: clock.now()) == 0)
    }
}
