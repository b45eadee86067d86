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
    /// The SQLite store, with claims held at a gate the test opens.
    final class GatedClaims: CoreEventStore {
        let store: SQLiteStore
        let claiming = AsyncStream<Void>.makeStream()
        let gate = AsyncStream<Void>.makeStream()

        init(_ store: SQLiteStore) { self.store = store }

        func claimCoreEvents(now: Date, limit: Int, lease: TimeInterval) async throws -> [CoreEvent] {
            claiming.continuation.yield()
            var opened = gate.stream.makeAsyncIterator()
            _ = await opened.next()
            return try await store.claimCoreEvents(now: now, limit: limit, lease: lease)
        }

        func enqueueCoreEvents(_ events: [CoreEvent]) async throws { try await store.enqueueCoreEvents(events) }
        func completeCoreEvent(id: String, claimingNextUntil leaseEnd: Date?) async throws -> CoreEvent? {
            try await store.completeCoreEvent(id: id, claimingNextUntil: leaseEnd)
        }
        func retryCoreEvent(id: String, nextAttemptAt: Date, error: String) async throws {
            try await store.retryCoreEvent(id: id, nextAttemptAt: nextAttemptAt, error: error)
        }
        func expediteCoreEvents(now: Date) async throws { try await store.expediteCoreEvents(now: now) }
        func nextCoreEventAttempt() async throws -> Date? { try await store.nextCoreEventAttempt() }
        func coreEventDepth() async throws -> Int { try await store.coreEventDepth() }
    }

    @Test func anEventClaimedAsTheSenderStopsIsDueAgainAtOnce() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.enqueueCoreEvents([
            CoreEvent(id: "evt-1", conversationID: "conv-1", type: "message.received", body: "{}", createdAt: Date())
        ])
        let gated = GatedClaims(store)
        try await CurlClient.withCurlClient { client in
            // Nothing listens on the discard port: no event may reach a core in this test.
            let sender = CoreEventSender(
                url: "http://127.0.0.1:9/events", secret: FakeCore.secret, store: gated, client: client,
                clock: SystemWallClock(), metrics: Metrics(), logger: Logger(label: "test"))
            let running = Task { await sender.run() }
            var claiming = gated.claiming.stream.makeAsyncIterator()
            _ = await claiming.next()
            // Stopped while its claim is on the way: the claim lands, the sender must not keep it.
            running.cancel()
            gated.gate.continuation.yield()
            await running.value
        }
        // What a restarted sender would claim now.
        let claimed = try await store.claimCoreEvents(now: Date(), limit: 10, lease: 60)
        #expect(claimed.map(\.id) == ["evt-1"])
        #expect(claimed.first?.lastError == "not sent: the sender stopped after claiming it")
    }
}
