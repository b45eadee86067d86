import Foundation
import GRDB
import Switchboard

// The embedded router's decision log (CONTRACT.md §12, `GET /v1/decisions`).

extension SQLiteStore {
    public func appendDecisions(_ decisions: [RoutingDecision]) async throws {
        guard !decisions.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO routing_decision (at, kind, conversation_id, work_item_id, agent_id, notification_id, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for decision in decisions {
                try statement.execute(arguments: [
                    decision.at.storedMilliseconds, decision.kind.rawValue, decision.conversationID,
                    decision.workItemID, decision.agentID, decision.notificationID, decision.reason,
                ])
            }
        }
    }

    public func deleteDecisions(madeBefore cutoff: Date, limit: Int) async throws -> Int {
        try await write { db in
            try db.run(
                "DELETE FROM routing_decision WHERE seq IN (SELECT seq FROM routing_decision WHERE at < ? LIMIT ?)",
                [cutoff.storedMilliseconds, max(0, limit)])
            return db.changesCount
        }
    }

    public func decisions(matching filter: DecisionFilter) async throws -> [RoutingDecision] {
        let (condition, arguments) = DecisionQuery.condition(filter)
        return try await read { db in
            try db.rows(
                """
                SELECT at, kind, conversation_id, work_item_id, agent_id, notification_id, reason FROM routing_decision
                \(condition) ORDER BY seq DESC LIMIT ?
                """,
                StatementArguments(arguments) + [max(0, filter.limit)]
            ).map { row in
                RoutingDecision(
                    at: try row.date("at"), kind: try row.enumValue("kind"),
                    conversationID: row.value("conversation_id"),
                    workItemID: row.value("work_item_id"), agentID: row.value("agent_id"),
                    notificationID: row.value("notification_id"),
                    reason: try row.required("reason"))
            }
        }
    }
}

/// The `WHERE` of a decision filter: one column per given id, `?` placeholders.
enum DecisionQuery {
    static func condition(_ filter: DecisionFilter) -> (String, [String]) {
        var clauses: [String] = []
        var arguments: [String] = []
        for (column, value) in [
            ("conversation_id", filter.conversationID), ("work_item_id", filter.workItemID),
            ("agent_id", filter.agentID),
        ] {
            guard let value else { continue }
            clauses.append("\(column) = ?")
            arguments.append(value)
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }
}
