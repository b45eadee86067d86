import Foundation
import PostgresNIO
import Switchboard

// Work items as the router last left them (CONTRACT.md §12 "Durable routing state").

extension PostgresStore {
    public func saveWorkItems(_ items: [WorkItemRecord]) async throws {
        guard !items.isEmpty else { return }
        try await transaction { db in
            for item in items {
                try await db.run(
                    """
                    INSERT INTO work_item (id, kind, title, queue, priority, assigned_agent, created_at, closed_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    ON CONFLICT (id) DO UPDATE SET assigned_agent = EXCLUDED.assigned_agent,
                        closed_at = EXCLUDED.closed_at, queue = EXCLUDED.queue, priority = EXCLUDED.priority
                    """,
                    [
                        item.id, item.kind, item.title, item.queue, Int64(item.priority), item.assignedAgent,
                        item.createdAt.storedMilliseconds, item.closedAt?.storedMilliseconds,
                    ])
            }
        }
    }

    public func openWorkItems() async throws -> [WorkItemRecord] {
        try await read { db in
            try await db.rows(
                """
                SELECT id, kind, title, queue, priority, assigned_agent, created_at, closed_at FROM work_item
                WHERE closed_at IS NULL ORDER BY created_at, id
                """
            ).map { row in
                let priority: Int64 = try row.required("priority")
                return WorkItemRecord(
                    id: try row.required("id"), kind: try row.required("kind"), title: try row.required("title"),
                    queue: try row.required("queue"), priority: Int(priority),
                    assignedAgent: try row.optional("assigned_agent"), createdAt: try row.date("created_at"),
                    closedAt: try row.optionalDate("closed_at"))
            }
        }
    }
}
