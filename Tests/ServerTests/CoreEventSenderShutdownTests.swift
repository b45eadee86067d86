import Curl
import Foundation
import Logging
import Router
import Storage
import Switchboard
import Testing

/// A sender stopping (shutdown) with an event claimed and not sent hands it back: a restart sends it at once
/// rather than after the claim's lease (60 s) — the restart test of `RemoteCoreDeliveryTests` waited out that lease
/// when its first gateway stopped just after claiming.
@Suite("Remote core: a stopping sender hands its claims back", .timeLimit(.minutes(1)))
struct CoreEventSenderShutdownTests {
    @Test func anEventClaimedAsTheSenderStopsIsDueAgainAtOnce() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.enqueueCoreEvents([
            CoreEvent(id: "evt-1", conversationID: "conv-1", type: "message.received", body: "{}", createdAt: Date())
        ])
        // Claims are held at a gate the test opens.
        let claiming = AsyncStream<Void>.makeStream()
        let gate = AsyncStream<Void>.makeStream()
        let gated = WatchedClaims(store: store) {
            claiming.continuation.yield()
            var opened = gate.stream.makeAsyncIterator()
            _ = await opened.next()
        }
        try await CurlClient.withCurlClient { client in
            // Nothing listens on the discard port: no event may reach a core in this test.
            let sender = CoreEventSender(
                url: "http://127.0.0.1:9/events", secret: FakeCore.secret, store: gated, client: client,
                clock: SystemWallClock(), metrics: Metrics(), logger: Logger(label: "test"))
            let running = Task { await sender.run() }
            var claims = claiming.stream.makeAsyncIterator()
            _ = await claims.next()
            // Stopped while its claim is on the way: the claim lands, the sender must not keep it.
            running.cancel()
            gate.continuation.yield()
            await running.value
        }
        // What a restarted sender would claim now.
        let claimed = try await store.claimCoreEvents(now: Date(), limit: 10, lease: 60)
        #expect(claimed.map(\.id) == ["evt-1"])
        #expect(claimed.first?.lastError == "not sent: the sender stopped after claiming it")
    }
}
