import Foundation
import Switchboard
import Synchronization
import Testing

@testable import PostgresStorage

/// Completing a core event on PostgreSQL runs in the server (`switchboard_complete_core_event`, migration v12), one
/// statement: what it must keep from the transaction of five statements it replaces.
@Suite("PostgresStore: core event completion in the server", .timeLimit(.minutes(2)))
struct PostgresCoreEventCompletionTests {
    /// An event queued for the conversation while the completion waits for its queue row (the inbound transaction
    /// holds it) is seen once that transaction commits, and claimed for the sender: not left without a queue row.
    @Test func anEventQueuedWhileTheCompletionWaitsIsClaimedNext() async throws {
        try await PostgresTestDatabase.withStore { store in
            let first = CoreEvent(
                id: "e1", conversationID: "conv1", type: "message.received", body: "first", createdAt: at(0))
            let second = CoreEvent(
                id: "e2", conversationID: "conv1", type: "message.received", body: "second", createdAt: at(1))
            try await store.enqueueCoreEvents([first])
            #expect(try await store.claimCoreEvents(now: at(0), limit: 10, lease: 60).map(\.id) == ["e1"])
            let release = Mutex(false)
            let inbound = Task {
                try await store.transaction { db in
                    try await CoreEventRows.insert(CoreEventRows.claimingFirst([second], nil), db)
                    while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                }
            }
            try await waitUntil(
                store,
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                    + " WHERE c.relname = 'core_event' AND l.mode = 'RowExclusiveLock'")
            let completion = Task { try await store.completeCoreEvent(id: "e1", claimingNextUntil: at(100)) }
            try await waitUntil(
                store,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            release.withLock { $0 = true }
            try await inbound.value
            #expect(try await completion.value?.id == "e2")
            #expect(try await store.nextCoreEventAttempt() == at(100))
            #expect(try await store.completeCoreEvent(id: "e2", claimingNextUntil: nil) == nil)
            #expect(try await store.coreEventDepth() == 0)
            #expect(try await store.nextCoreEventAttempt() == nil)
        }
    }

    /// Without a lease the next event is due at its creation and nothing is returned; an unknown id changes
    /// nothing.
    @Test func withoutALeaseTheNextEventIsDueAtItsCreation() async throws {
        try await PostgresTestDatabase.withStore { store in
            try await store.enqueueCoreEvents([
                CoreEvent(id: "e1", conversationID: "conv1", type: "t", body: "1", createdAt: at(0)),
                CoreEvent(id: "e2", conversationID: "conv1", type: "t", body: "2", createdAt: at(5)),
            ])
            _ = try await store.claimCoreEvents(now: at(0), limit: 10, lease: 60)
            #expect(try await store.completeCoreEvent(id: "unknown", claimingNextUntil: at(100)) == nil)
            #expect(try await store.completeCoreEvent(id: "e1", claimingNextUntil: nil) == nil)
            #expect(try await store.nextCoreEventAttempt() == at(5))
            #expect(try await store.claimCoreEvents(now: at(5), limit: 10, lease: 60).map(\.id) == ["e2"])
        }
    }

    /// Completions queued together run as one statement, each answered with its own conversation's next event
    /// (claimed until its own lease end), none for an unknown id.
    @Test func completionsQueuedTogetherShareOneStatement() async throws {
        try await PostgresTestDatabase.withStore { store in
            func event(_ id: String, _ conversation: String, _ seconds: TimeInterval) -> CoreEvent {
                CoreEvent(id: id, conversationID: conversation, type: "t", body: id, createdAt: at(seconds))
            }
            try await store.enqueueCoreEvents([
                event("e1", "conv1", 0), event("e2", "conv1", 1), event("f1", "conv2", 0), event("g1", "conv3", 0),
                event("g2", "conv3", 2),
            ])
            #expect(try await store.claimCoreEvents(now: at(0), limit: 10, lease: 60).count == 3)
            let calls: [(String, Date?)] = [("g1", at(100)), ("e1", nil), ("f1", at(100)), ("unknown", at(100))]
            let queue = CoreEventCompletionQueue(lanes: 1)
            let results = try await runAsOneBatch(
                calls.count, on: queue,
                call: { index, continuation in
                    .init(id: calls[index].0, leaseEnd: calls[index].1, continuation: continuation)
                },
                lane: { await store.runCompletionLane(queue) }
            ).map { try $0.get()?.id }
            #expect(results == ["g2", nil, nil, nil])
            #expect(try await store.coreEventDepth() == 2)
            // e2 is due at its creation; g2 is claimed until its lease end.
            #expect(try await store.claimCoreEvents(now: at(50), limit: 10, lease: 60).map(\.id) == ["e2"])
            #expect(try await store.claimCoreEvents(now: at(100), limit: 10, lease: 60).map(\.id) == ["g2"])
        }
    }
}
