import Foundation
import Storage
import Switchboard
import Synchronization

/// The SQLite store's core event outbox for a sender under test: counts the sender's claims, and runs
/// `beforeClaim` before each (to hold it at a gate the test opens).
final class WatchedClaims: CoreEventStore {
    let store: SQLiteStore
    let beforeClaim: @Sendable () async -> Void
    private let count = Atomic<Int>(0)

    init(store: SQLiteStore, beforeClaim: @escaping @Sendable () async -> Void = {}) {
        self.store = store
        self.beforeClaim = beforeClaim
    }

    /// The sender's claims so far.
    var claims: Int { count.load(ordering: .relaxed) }

    func claimCoreEvents(now: Date, limit: Int, lease: TimeInterval) async throws -> [CoreEvent] {
        count.add(1, ordering: .relaxed)
        await beforeClaim()
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
