import Foundation
import PostgresNIO
import Switchboard

// The agents' event logs for SSE replay. Sequence numbers come from the agent's row in `agent_event_sequence`:
// the upsert that increments it locks the row until the transaction ends, so concurrent appends of one agent (from
// any instance) take consecutive numbers, and trimming never hands a number out twice.

extension PostgresStore {
    public func appendAgentEvent(agentID: String, type: String, data: String, at: Date) async throws -> Int64 {
        try await appendAgentEvents([NewAgentEvent(agentID: agentID, type: type, data: data, at: at)])[0]
    }

    /// One transaction for all the events. Agents' counter rows are taken in agent-id order, so two batches
    /// naming the same agents cannot deadlock; each agent's events get consecutive numbers in batch order.
    public func appendAgentEvents(_ events: [NewAgentEvent]) async throws -> [Int64] {
        guard !events.isEmpty else { return [] }
        let kept = Int64(max(1, options.agentEventsKept))
        let positions = Dictionary(grouping: events.indices, by: { events[$0].agentID })
        return try await transaction { db in
            var sequences = [Int64](repeating: 0, count: events.count)
            for agentID in positions.keys.sorted() {
                let indices = positions[agentID]!
                let count = Int64(indices.count)
                guard
                    let row = try await db.row(
                        """
                        INSERT INTO agent_event_sequence (agent_id, last_sequence) VALUES ($1, $2)
                        ON CONFLICT (agent_id) DO UPDATE SET last_sequence = agent_event_sequence.last_sequence + $2
                        RETURNING last_sequence
                        """,
                        [agentID, count])
                else {
                    throw StorageCorruption(what: "agent_event_sequence returned no sequence for an agent")
                }
                let last: Int64 = try row.required("last_sequence")
                for (offset, index) in indices.enumerated() {
                    let event = events[index]
                    let sequence = last - count + 1 + Int64(offset)
                    sequences[index] = sequence
                    try await db.run(
                        "INSERT INTO agent_event (agent_id, sequence, type, data, at) VALUES ($1, $2, $3, $4, $5)",
                        [agentID, sequence, event.type, event.data, event.at.storedMilliseconds])
                }
                // Sequence numbers are consecutive, so the last `kept` events are exactly those above this bound.
                try await db.run(
                    "DELETE FROM agent_event WHERE agent_id = $1 AND sequence <= $2", [agentID, last - kept])
            }
            return sequences
        }
    }

    public func agentEvents(agentID: String, after: Int64) async throws -> [StoredAgentEvent] {
        try await read { db in
            try await db.rows(
                """
                SELECT sequence, type, data, at FROM agent_event WHERE agent_id = $1 AND sequence > $2
                ORDER BY sequence
                """,
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
            try await db.row("SELECT last_sequence FROM agent_event_sequence WHERE agent_id = $1", [agentID])?
                .required("last_sequence") ?? 0
        }
    }
}
