import Foundation
import PostgresNIO
import Switchboard

// Core events delivered, in a group commit: the sender completes an event as its core answers, many at once under
// load; each completion was a transaction and a commit of its own (two a new customer's message). Concurrent
// completions now share one statement, which commits on its own: `switchboard_complete_core_event` (migration v12)
// for each, in the server.

/// One sender waiting for its delivered event to be completed: the conversation's next event, claimed until
/// `leaseEnd`, or `nil`.
struct CoreEventCompletionCall: Sendable {
    var id: String
    var leaseEnd: Date?
    var continuation: CheckedContinuation<CoreEvent?, any Error>
}

typealias CoreEventCompletionQueue = BatchQueue<CoreEventCompletionCall>

extension PostgresStore {
    public func completeCoreEvent(id: String, claimingNextUntil leaseEnd: Date?) async throws -> CoreEvent? {
        let queue = coreEventCompletions
        return try await withCheckedThrowingContinuation { continuation in
            if queue.enqueue(.init(id: id, leaseEnd: leaseEnd, continuation: continuation)) {
                Task { await self.runCompletionLane(queue) }
            }
        }
    }

    /// Runs batches from `queue` until none waits.
    func runCompletionLane(_ queue: CoreEventCompletionQueue) async {
        while let calls = queue.next() { await runCompletionBatch(calls, queue) }
    }

    /// One statement for `calls`. It failed (a deadlock, a dead connection): each call runs alone, and one whose
    /// event turns out completed already (the statement committed before its answer was lost) gets `nil`, its
    /// next event then going out when the lease the statement gave it ends.
    private func runCompletionBatch(_ calls: [CoreEventCompletionCall], _ queue: CoreEventCompletionQueue) async {
        defer { queue.batchEnded() }
        do {
            let ids = calls.map(\.id)
            let leaseEnds = calls.map { $0.leaseEnd?.storedMilliseconds ?? 0 }
            let rows = try await withSession { db in try await db.rows(CompleteCoreEvents.self, [ids, leaseEnds]) }
            var next: [String: CoreEvent] = [:]
            for row in rows { next[try row.required("completed_id")] = try CoreEventRows.event(row) }
            for call in calls { call.continuation.resume(returning: next[call.id]) }
        } catch {
            for call in calls {
                do {
                    call.continuation.resume(returning: try await completeCoreEventAlone(call.id, call.leaseEnd))
                } catch {
                    call.continuation.resume(throwing: PostgresFailure.mapped(error, url: url))
                }
            }
        }
    }

    private func completeCoreEventAlone(_ id: String, _ leaseEnd: Date?) async throws -> CoreEvent? {
        try await withSession { db in
            try await db.rows(CompleteCoreEvents.self, [[id], [leaseEnd?.storedMilliseconds ?? 0]]).first.map(
                CoreEventRows.event)
        }
    }

    /// Completes the events `$1` (each with its lease end in `$2`, `0`: none) one by one in the server, in the
    /// order their conversations' queue rows are locked by inbound batches too (conversation, then event), so
    /// that the two wait for each other rather than deadlock; a row for each next event claimed.
    enum CompleteCoreEvents: PreparedSQL {
        static let sql = """
            SELECT u.id AS completed_id, n.id, n.conversation_id, n.type, n.body, n.created_at, n.attempts,
                n.last_error
            FROM (
                SELECT u.id, u.lease_end FROM unnest($1::text[], $2::bigint[]) AS u(id, lease_end)
                JOIN core_event e ON e.id = u.id
                ORDER BY e.conversation_id, e.seq
            ) u
            CROSS JOIN LATERAL switchboard_complete_core_event(u.id, u.lease_end) n
            """
    }
}
