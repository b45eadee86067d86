import Foundation
import PostgresNIO
import Switchboard

// The embedded router's decision log (CONTRACT.md §12, `GET /v1/decisions`).

extension PostgresStore {
    public func appendDecisions(_ decisions: [RoutingDecision]) async throws {
        guard !decisions.isEmpty else { return }
        // One statement for the batch: arrays unnested in order; an absent id travels as '' (ids are never empty).
        try await transaction { db in
            try await db.run(
                """
                INSERT INTO routing_decision (at, kind, conversation_id, work_item_id, agent_id, notification_id, reason)
                SELECT at, kind, NULLIF(c, ''), NULLIF(w, ''), NULLIF(a, ''), NULLIF(o, ''), reason
                FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                    WITH ORDINALITY AS d(at, kind, c, w, a, o, reason, n)
                ORDER BY n
                """,
                [
                    decisions.map(\.at.storedMilliseconds), decisions.map(\.kind.rawValue),
                    decisions.map { $0.conversationID ?? "" }, decisions.map { $0.workItemID ?? "" },
                    decisions.map { $0.agentID ?? "" }, decisions.map { $0.notificationID ?? "" },
                    decisions.map(\.reason),
                ])
        }
    }

    public func deleteDecisions(madeBefore cutoff: Date, limit: Int) async throws -> Int {
        try await transaction { db in
            try await db.run(
                """
                DELETE FROM routing_decision WHERE seq IN (
                    SELECT seq FROM routing_decision WHERE at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """,
                [cutoff.storedMilliseconds, Int64(max(0, limit))])
        }
    }

    public func decisions(matching filter: DecisionFilter) async throws -> [RoutingDecision] {
        var clauses: [String] = []
        var ids: [String] = []
        for (column, value) in [
            ("conversation_id", filter.conversationID), ("work_item_id", filter.workItemID),
            ("agent_id", filter.agentID),
        ] {
            guard let value else { continue }
            ids.append(value)
            clauses.append("\(column) = $\(ids.count)")
        }
        let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = Int64(max(0, filter.limit))
        return try await read { [ids] db in
            try await db.rows(
                """
                SELECT at, kind, conversation_id, work_item_id, agent_id, notification_id, reason FROM routing_decision
                \(condition) ORDER BY seq DESC LIMIT $\(ids.count + 1)
                """,
                ids.map { $0 as any SQLBindable } + [limit]
            ).map { row in
                RoutingDecision(
                    at: try row.date("at"), kind: try row.enumValue("kind"),
                    conversationID: try row.optional("conversation_id"), workItemID: try row.optional("work_item_id"),
                    agentID: try row.optional("agent_id"), notificationID: try row.optional("notification_id"),
                    reason: try row.required("reason"))
            }
        }
    }
}
