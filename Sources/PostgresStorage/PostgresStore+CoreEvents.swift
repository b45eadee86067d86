import Foundation
import PostgresNIO
import Switchboard

// The remote core's event outbox (`router.mode = remote`, CONTRACT.md §11), as the SQLite store's: `core_event`
// holds the events in order, `core_queue` when each conversation's oldest event is due. Instances claim queue
// rows with `FOR UPDATE SKIP LOCKED`, so each event is handed to one of them at a time.

extension PostgresStore {
    public func enqueueCoreEvents(_ events: [CoreEvent]) async throws {
        guard !events.isEmpty else { return }
        try await transaction { db in _ = try await CoreEventRows.insert(events, db) }
    }

    public func claimCoreEvents(now: Date, limit: Int, lease: TimeInterval) async throws -> [CoreEvent] {
        let now = now.storedMilliseconds
        let leaseEnd = now + Int64(lease * 1000)
        return try await transaction { db in
            let events = try await db.rows(
                """
                WITH due AS (
                    SELECT conversation_id, next_attempt_at FROM core_queue WHERE next_attempt_at <= $1
                    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
                ), claimed AS (
                    UPDATE core_queue q SET next_attempt_at = $3, claimed = TRUE FROM due
                    WHERE q.conversation_id = due.conversation_id RETURNING q.conversation_id, due.next_attempt_at
                )
                SELECT e.id, e.conversation_id, e.type, e.body, e.created_at, e.attempts, e.last_error
                FROM claimed c JOIN LATERAL (
                    SELECT * FROM core_event WHERE conversation_id = c.conversation_id ORDER BY seq LIMIT 1
                ) e ON TRUE
                ORDER BY c.next_attempt_at, e.seq
                """,
                [now, Int64(max(0, limit)), leaseEnd]
            )
            return try events.map(CoreEventRows.event)
        }
    }

    public func retryCoreEvent(id: String, nextAttemptAt: Date, error: String) async throws {
        let next = nextAttemptAt.storedMilliseconds
        try await transaction { db in
            try await db.run(
                """
                WITH event AS (
                    UPDATE core_event SET attempts = attempts + 1, last_error = $1 WHERE id = $2
                    RETURNING conversation_id
                )
                UPDATE core_queue SET next_attempt_at = $3, claimed = FALSE
                WHERE conversation_id = (SELECT conversation_id FROM event)
                """,
                [error, id, next])
        }
    }

    public func expediteCoreEvents(now: Date) async throws {
        let now = now.storedMilliseconds
        try await transaction { db in
            try await db.run(
                "UPDATE core_queue SET next_attempt_at = $1 WHERE NOT claimed AND next_attempt_at > $1", [now])
        }
    }

    public func nextCoreEventAttempt() async throws -> Date? {
        try await read { db in
            try await db.row("SELECT MIN(next_attempt_at) AS next FROM core_queue")?.optionalDate("next")
        }
    }

    public func coreEventDepth() async throws -> Int {
        try await read { db in
            let count: Int64 = try await db.row("SELECT COUNT(*) AS n FROM core_event")?.required("n") ?? 0
            return Int(count)
        }
    }
}

/// Rows of `core_event` and `core_queue`, also written in an inbound message's transaction.
enum CoreEventRows {
    /// Appends the events in order; each conversation gets a queue row, due at its first event's time, unless it
    /// has one (its oldest event is then still waiting or in flight).
    ///
    /// With `leaseEnd`, the first event is claimed until then when it starts its conversation's queue (no older
    /// event waits), and returned: the caller hands it to its sender (``CoreEventHandOff``).
    static func insert(
        _ events: [CoreEvent], claimingFirstUntil leaseEnd: Date? = nil, _ db: SQLSession
    ) async throws -> CoreEvent? {
        var claimed: CoreEvent?
        for (index, event) in events.enumerated() {
            let at = event.createdAt.storedMilliseconds
            let lease = index == 0 ? leaseEnd?.storedMilliseconds ?? 0 : 0
            // The queue row first, locked (an upsert that keeps its time) until the transaction ends: see
            // `completeCoreEvent`.
            let handed: Bool =
                try await db.row(EnqueueConversation.self, [event.conversationID, at, lease])?.required("handed")
                ?? false
            // A row back: the event is new (not one the message's first delivery queued already).
            let inserted = try await db.run(
                InsertEvent.self, [event.id, event.conversationID, event.type, event.body, at])
            if handed && inserted == 1 { claimed = event }
        }
        return claimed
    }

    /// A queue row for the conversation, due at `$2`; with a lease end `$3` (`0`: none) it is inserted claimed
    /// until then. One already there keeps its time and claim, and is locked. `handed`: inserted claimed.
    /// (`xmax = 0` tells a row this statement inserted from one it locked and updated, which carries the lock.)
    enum EnqueueConversation: PreparedSQL {
        static let sql = """
            INSERT INTO core_queue (conversation_id, next_attempt_at, claimed)
            VALUES ($1, CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE $2::bigint END, $3::bigint > 0)
            ON CONFLICT (conversation_id) DO UPDATE SET next_attempt_at = core_queue.next_attempt_at
            RETURNING core_queue.xmax = 0 AND core_queue.claimed AS handed
            """
    }

    enum InsertEvent: PreparedSQL {
        static let sql = """
            INSERT INTO core_event (id, conversation_id, type, body, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """
    }

    static func event(_ row: PostgresRandomAccessRow) throws -> CoreEvent {
        let attempts: Int64 = try row.required("attempts")
        return CoreEvent(
            id: try row.required("id"), conversationID: try row.required("conversation_id"),
            type: try row.required("type"), body: try row.required("body"), createdAt: try row.date("created_at"),
            attempts: Int(attempts), lastError: try row.optional("last_error"))
    }
}
