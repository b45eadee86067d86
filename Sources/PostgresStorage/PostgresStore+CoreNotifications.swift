import Foundation
import PostgresNIO
import Switchboard

// The durable outbox of notification requests for an external core (`router.mode = remote`).

extension PostgresStore {
    public func enqueueCoreNotification(_ notification: CoreNotification) async throws {
        let at = notification.createdAt.storedMilliseconds
        try await transaction { db in
            try await db.run(
                """
                INSERT INTO core_notification (id, body, created_at, attempts, next_attempt_at)
                VALUES ($1, $2, $3, 0, $4) ON CONFLICT (id) DO NOTHING
                """,
                [notification.id, notification.body, at, at])
        }
    }

    public func dueCoreNotifications(now: Date, limit: Int) async throws -> [CoreNotification] {
        let now = now.storedMilliseconds
        return try await read { db in
            try await db.rows(
                """
                SELECT id, body, created_at, attempts, last_error FROM core_notification
                WHERE next_attempt_at <= $1 ORDER BY created_at, seq LIMIT $2
                """,
                [now, max(0, limit)]
            ).map { row in
                let attempts: Int64 = try row.required("attempts")
                return CoreNotification(
                    id: try row.required("id"), body: try row.required("body"), createdAt: try row.date("created_at"),
                    attempts: Int(attempts), lastError: try row.optional("last_error"))
            }
        }
    }

    public func completeCoreNotification(id: String) async throws {
        try await transaction { db in try await db.run("DELETE FROM core_notification WHERE id = $1", [id]) }
    }

    public func retryCoreNotification(id: String, nextAttemptAt: Date, error: String) async throws {
        let next = nextAttemptAt.storedMilliseconds
        try await transaction { db in
            try await db.run(
                """
                UPDATE core_notification SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2
                WHERE id = $3
                """,
                [next, error, id])
        }
    }

    public func nextCoreNotificationAttempt() async throws -> Date? {
        try await read { db in
            try await db.row("SELECT MIN(next_attempt_at) AS next FROM core_notification")?.optionalDate("next")
        }
    }
}
