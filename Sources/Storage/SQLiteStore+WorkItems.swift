import Foundation
import GRDB
import Switchboard

// Work items as the router last left them (CONTRACT.md §12 "Durable routing state").

extension SQLiteStore {
    public func saveWorkItems(_ items: [WorkItemRecord]) async throws {
        guard !items.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO work_item (id, kind, title, queue, priority, assigned_agent, created_at, closed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET assigned_agent = excluded.assigned_agent,
                        closed_at = excluded.closed_at, queue = excluded.queue, priority = excluded.priority
                    """)
            for item in items {
                try statement.execute(arguments: [
                    item.id, item.kind, item.title, item.queue, item.priority, item.assignedAgent,
                    item.createdAt.storedMilliseconds, item.closedAt?.storedMilliseconds,
                ])
            }
        }
    }

    public func openWorkItems() async throws -> [WorkItemRecord] {
        try await read { db in
            try db.rows(
                """
                SELECT id, kind, title, queue, priority, assigned_agent, created_at, closed_at FROM work_item
                WHERE closed_at IS NULL ORDER BY created_at, id
                """
            ).map { row in
                WorkItemRecord(
                    id: try row.required("id"), kind: try row.required("kind"), title: try row.required("title"),
                    queue: try row.required("queue"), priority: try row.required("priority"),
                    assignedAgent: row.value("assigned_agent"), createdAt: try row.date("created_at"),
                    closedAt: row.optionalDate("closed_at"))
            }
        }
    }
}
