import Foundation

/// Each agent's event log, for SSE replay (CONTRACT.md §6).
public protocol AgentEventStore: Sendable {
    /// Appends an event to the agent's log and returns its sequence number (strictly increasing per agent,
    /// kept across restarts). Keeps the last 1,000 events per agent.
    func appendAgentEvent(agentID: String, type: String, data: String, at: Date) async throws -> Int64
    /// Appends several events, in this order, all or none; returns their sequence numbers in the same order.
    /// One transaction instead of one per event (the default implementation appends them one by one).
    func appendAgentEvents(_ events: [NewAgentEvent]) async throws -> [Int64]
    /// Events of the agent with a sequence number above `after`, oldest first.
    func agentEvents(agentID: String, after: Int64) async throws -> [StoredAgentEvent]
    /// The highest sequence number of the agent, 0 if none.
    func lastAgentEventSequence(agentID: String) async throws -> Int64
}

/// An event to append to an agent's log (``AgentEventStore/appendAgentEvents(_:)``).
public struct NewAgentEvent: Sendable, Equatable {
    public var agentID: String
    public var type: String
    public var data: String
    public var at: Date

    public init(agentID: String, type: String, data: String, at: Date) {
        self.agentID = agentID
        self.type = type
        self.data = data
        self.at = at
    }
}

extension AgentEventStore {
    public func appendAgentEvents(_ events: [NewAgentEvent]) async throws -> [Int64] {
        var sequences: [Int64] = []
        for event in events {
            sequences.append(
                try await appendAgentEvent(agentID: event.agentID, type: event.type, data: event.data, at: event.at))
        }
        return sequences
    }
}

public struct StoredAgentEvent: Sendable, Equatable {
    public var sequence: Int64
    public var type: String
    /// The event's JSON `data`.
    public var data: String
    public var at: Date
    public init(sequence: Int64, type: String, data: String, at: Date) {
        self.sequence = sequence
        self.type = type
        self.data = data
        self.at = at
    }
}
