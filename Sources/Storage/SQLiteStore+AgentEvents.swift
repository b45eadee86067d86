import Foundation
import GRDB
import Switchboard

// The agents' event logs for SSE replay. Sequence numbers come from `agent_event_sequence`, not from the
// events still kept, so trimming (or any later pruning by age) never hands out a number twice.

extension SQLiteStore {
    public func appendAgentEvent(agentID: String, type: String, data: String, at: Date) async throws -> Int64 {
        let kept = Int64(max(1, options.agentEventsKept))
        let event = NewAgentEvent(agentID: agentID, type: type, data: data, at: at)
        return try await write { db in try Self.append(event, kept: kept, db) }
    }

    public func appendAgentEvents(_ events: [NewAgentEvent]) async throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        let kept = Int64(max(1, options.agentEventsKept))
        return try await write { db in try events.map { try Self.append($0, kept: kept, db) } }
    }

    private static func append(_ event: NewAgentEvent, kept: Int64, _ db: Database) throws -> Int64 {
        let (agentID, type, data, at) = (event.agentID, event.type, event.data, event.at.storedMilliseconds)
        let sequence = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    INSERT INTO agent_event_sequence (agent_id, last_sequence) VALUES (?, 1)
                    ON CONFLICT (agent_id) DO UPDATE SET last_sequence = last_sequence + 1
                    RETURNING last_sequence
                    """),
            arguments: [agentID])
        guard let sequence else {
            throw StorageCorruption(what: "agent_event_sequence returned no sequence for an agent")
        }
        try db.run(
            "INSERT INTO agent_event (agent_id, sequence, type, data, at) VALUES (?, ?, ?, ?, ?)",
            [agentID, sequence, type, data, at])
        // Sequence numbers are consecutive, so the last `kept` events are exactly those above this bound.
        try db.run("DELETE FROM agent_event WHERE agent_id = ? AND sequence <= ?", [agentID, sequence - kept])
        return sequence
    }

    public func agentEvents(agentID: String, after: Int64) async throws -> [StoredAgentEvent] {
        try await read { db in
            try db.rows(
                "SELECT sequence, type, data, at FROM agent_event WHERE agent_id = ? AND sequence > ? ORDER BY sequence",
                [agentID, after]
            ).map { row in
                StoredAgentEvent(
                    sequence: try row.required("sequence"), type: try row.required("type"),
                    data: try row.required("data"), at: try row.date("at"))
            }
        }
    }

    public func lastAgentEventSequence(agentID: String) async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT last_sequence FROM agent_event_sequence WHERE agent_id = ?"),
                arguments: [agentID]) ?? 0
        }
    }
}
