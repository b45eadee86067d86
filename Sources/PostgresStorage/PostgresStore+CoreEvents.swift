import Foundation
import PostgresNIO
import Switchboard

// The remote core's event outbox (`router.mode = remote`, CONTRACT.md §11), as the SQLite store's: `core_event`
// holds the events in order, `core_queue` when each conversation's oldest event is due. Instances claim queue
// rows with `FOR UPDATE SKIP LOCKED`, so each event is handed to one of them at a time.

extension PostgresStore {
    public func enqueueCoreEvents(_ events: [CoreEvent]) async throws {
        guard !events.isEmpty else { return }
        try await transaction { db in try await CoreEventRows.insert(CoreEventRows.claimingFirst(events, nil), db) }
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

/// Rows of `core_event` and `core_queue`, also written in an inbound message's transaction (or its batch's).
enum CoreEventRows {
    /// An event to queue, with the claim of the message it belongs to when it is that message's first.
    typealias Entry = (event: CoreEvent, claim: CoreEventClaim?)

    /// `events` as entries: the first with `claim`, the others without (only a message's first event is handed off).
    static func claimingFirst(_ events: [CoreEvent], _ claim: CoreEventClaim?) -> [Entry] {
        events.enumerated().map { ($1, $0 == 0 ? claim : nil) }
    }

    /// Appends the events in order; each conversation gets a queue row, due at its first event's time, unless it
    /// has one (its oldest event is then still waiting or in flight). A conversation whose queue row this inserts,
    /// and whose first event here has a claim, gets that event claimed until the claim's lease end and kept in the
    /// claim (``CoreEventHandOff``).
    static func insert(_ events: [Entry], _ db: SQLSession) async throws {
        guard !events.isEmpty else { return }
        var first: [String: Entry] = [:]
        for entry in events where first[entry.event.conversationID] == nil {
            first[entry.event.conversationID] = entry
        }
        let conversations = first.keys.sorted()
        // The queue rows first, locked until the transaction ends: see `switchboard_complete_core_event`.
        let queued = try await db.rows(
            EnqueueConversations.self,
            [
                conversations, conversations.map { first[$0]!.event.createdAt.storedMilliseconds },
                conversations.map { first[$0]!.claim?.leaseEnd.storedMilliseconds ?? 0 },
            ])
        let inserted = Set(
            try await db.rows(
                InsertEvents.self,
                [
                    events.map(\.event.id), events.map(\.event.conversationID), events.map(\.event.type),
                    events.map(\.event.body), events.map(\.event.createdAt.storedMilliseconds),
                ]
            ).map { try $0.required("id") as String })
        for row in queued where try row.required("handed") as Bool {
            guard let (event, claim) = first[try row.required("conversation_id")], inserted.contains(event.id)
            else { continue }
            claim?.event = event
        }
    }

    /// A queue row for each conversation with new events (sorted; one already there keeps its time and claim,
    /// locked). A lease end `$3` (`0`: none) inserts the row claimed until then; `handed` tells such a row from one
    /// that was there (`xmax = 0` only on a row the statement inserted: one it locked and updated carries the lock).
    enum EnqueueConversations: PreparedSQL {
        static let sql = """
            INSERT INTO core_queue (conversation_id, next_attempt_at, claimed)
            SELECT conversation_id, CASE WHEN lease_end > 0 THEN lease_end ELSE next_attempt_at END, lease_end > 0
            FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(conversation_id, next_attempt_at, lease_end)
            ORDER BY conversation_id
            ON CONFLICT (conversation_id) DO UPDATE SET next_attempt_at = core_queue.next_attempt_at
            RETURNING core_queue.conversation_id, core_queue.xmax = 0 AND core_queue.claimed AS handed
            """
    }

    /// The events in order; `id` of each one inserted (not there already).
    enum InsertEvents: PreparedSQL {
        static let sql = """
            INSERT INTO core_event (id, conversation_id, type, body, created_at)
            SELECT id, conversation_id, type, body, created_at
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
                WITH ORDINALITY AS u(id, conversation_id, type, body, created_at, n)
            ORDER BY n
            ON CONFLICT (id) DO NOTHING
            RETURNING id
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
