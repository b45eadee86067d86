import Foundation
import GRDB
import Switchboard

// The durable outbox of notification requests for an external core (`router.mode = remote`).

extension SQLiteStore {
    public func enqueueCoreNotification(_ notification: CoreNotification) async throws {
        let at = notification.createdAt.storedMilliseconds
        try await write { db in
            try db.run(
                """
                INSERT INTO core_notification (id, body, created_at, attempts, next_attempt_at)
                VALUES (?, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING
                """,
                [notification.id, notification.body, at, at])
        }
    }

    public func dueCoreNotifications(now: Date, limit: Int) async throws -> [CoreNotification] {
        let now = now.storedMilliseconds
        return try await read { db in
            try db.rows(
                """
                SELECT id, body, created_at, attempts, last_error FROM core_notification
                WHERE next_attempt_at <= ? ORDER BY created_at, rowid LIMIT ?
                """,
                [now, max(0, limit)]
            ).map { row in
                CoreNotification(
                    id: try row.required("id"), body: try row.required("body"), createdAt: try row.date("created_at"),
                    attempts: try row.required("attempts"), lastError: row["last_error"])
            }
        }
    }

    public func completeCoreNotification(id: String) async throws {
        try await write { db in try db.run("DELETE FROM core_notification WHERE id = ?", [id]) }
    }

    public func retryCoreNotification(id: String, nextAttemptAt: Date, error: String) async throws {
        let next = nextAttemptAt.storedMilliseconds
        try await write { db in
            try db.run(
                """
                UPDATE core_notification SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
                WHERE id = ?
                """,
                [next, error, id])
        }
    }

    public func nextCoreNotificationAttempt() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM core_notification").map {
                Date(timeIntervalSince1970: Double($0) / 1000)
            }
        }
    }
}
