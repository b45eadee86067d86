import Foundation
import GRDB
import Switchboard

// The remote core's event outbox (`router.mode = remote`, CONTRACT.md §11): `core_event` holds the events in
// order, `core_queue` when each conversation's oldest event is due (see `SQLiteSchema.createCoreEvents`).

extension SQLiteStore {
    public func enqueueCoreEvents(_ events: [CoreEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write { db in _ = try CoreEventRows.insert(events, db) }
    }

    public func claimCoreEvents(now: Date, limit: Int, lease: TimeInterval) async throws -> [CoreEvent] {
        let now = now.storedMilliseconds
        let leaseEnd = now + Int64(lease * 1000)
        return try await write { db in
            let events = try db.rows(
                """
                SELECT e.id, e.conversation_id, e.type, e.body, e.created_at, e.attempts, e.last_error
                FROM core_queue q JOIN core_event e
                    ON e.seq = (SELECT MIN(seq) FROM core_event WHERE conversation_id = q.conversation_id)
                WHERE q.next_attempt_at <= ? ORDER BY q.next_attempt_at LIMIT ?
                """,
                [now, max(0, limit)]
            ).map(CoreEventRows.event)
            for event in events {
                try db.run(
                    "UPDATE core_queue SET next_attempt_at = ?, claimed = 1 WHERE conversation_id = ?",
                    [leaseEnd, event.conversationID])
            }
            return events
        }
    }

    public func completeCoreEvent(id: String, claimingNextUntil leaseEnd: Date?) async throws -> CoreEvent? {
        try await write { db in
            // One cached statement (`fetchOne(db, sql:)` prepared its SELECT again for every event delivered).
            guard
                let conversationID: String = try db.row(
                    "DELETE FROM core_event WHERE id = ? RETURNING conversation_id", [id]
                )?.value("conversation_id")
            else { return nil }
            guard
                let next = try db.row(
                    """
                    SELECT id, conversation_id, type, body, created_at, attempts, last_error FROM core_event
                    WHERE conversation_id = ? ORDER BY seq LIMIT 1
                    """, [conversationID]
                ).map(CoreEventRows.event)
            else {
                try db.run("DELETE FROM core_queue WHERE conversation_id = ?", [conversationID])
                return nil
            }
            // The next event is claimed for the caller, or due since it was queued.
            try db.run(
                "UPDATE core_queue SET next_attempt_at = ?, claimed = ? WHERE conversation_id = ?",
                [(leaseEnd ?? next.createdAt).storedMilliseconds, leaseEnd != nil, conversationID])
            return leaseEnd == nil ? nil : next
        }
    }

    public func retryCoreEvent(id: String, nextAttemptAt: Date, error: String) async throws {
        let next = nextAttemptAt.storedMilliseconds
        try await write { db in
            try db.run("UPDATE core_event SET attempts = attempts + 1, last_error = ? WHERE id = ?", [error, id])
            try db.run(
                """
                UPDATE core_queue SET next_attempt_at = ?, claimed = 0
                WHERE conversation_id = (SELECT conversation_id FROM core_event WHERE id = ?)
                """,
                [next, id])
        }
    }

    public func expediteCoreEvents(now: Date) async throws {
        let now = now.storedMilliseconds
        try await write { db in
            try db.run(
                "UPDATE core_queue SET next_attempt_at = ? WHERE claimed = 0 AND next_attempt_at > ?", [now, now])
        }
    }

    public func nextCoreEventAttempt() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM core_queue").map {
                Date(timeIntervalSince1970: Double($0) / 1000)
            }
        }
    }

    public func coreEventDepth() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM core_event") ?? 0 }
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
        _ events: [CoreEvent], claimingFirstUntil leaseEnd: Date? = nil, _ db: Database
    ) throws
        -> CoreEvent?
    {
        var claimed: CoreEvent?
        for (index, event) in events.enumerated() {
            let at = event.createdAt.storedMilliseconds
            try db.run(
                """
                INSERT INTO core_event (id, conversation_id, type, body, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """,
                [event.id, event.conversationID, event.type, event.body, at])
            if index == 0, let leaseEnd, db.changesCount == 1 {
                try db.run(
                    """
                    INSERT INTO core_queue (conversation_id, next_attempt_at, claimed) VALUES (?, ?, 1)
                    ON CONFLICT DO NOTHING
                    """,
                    [event.conversationID, leaseEnd.storedMilliseconds])
                if db.changesCount == 1 { claimed = event }
                continue
            }
            try db.run(
                "INSERT INTO core_queue (conversation_id, next_attempt_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [event.conversationID, at])
        }
        return claimed
    }

    static func event(_ row: Row) throws -> CoreEvent {
        CoreEvent(
            id: try row.required("id"), conversationID: try row.required("conversation_id"),
            type: try row.required("type"), body: try row.required("body"), createdAt: try row.date("created_at"),
            attempts: try row.required("attempts"), lastError: row.value("last_error"))
    }
}
