import Foundation
import Switchboard

/// The one store the router writes to: who holds each conversation.
actor AssignmentRecorder: AssignmentStore {
    private(set) var assignments: [String: String?] = [:]

    func assignConversation(id: String, to agentID: String?) async throws {
        assignments[id] = .some(agentID)
    }
}

/// Records every published agent event and lets a test wait, bounded, for one to arrive.
actor RecordingSink: AgentEventSink {
    private(set) var published: [(agentID: String, event: AgentEvent)] = []

    func publish(_ event: AgentEvent, to agentID: String) async {
        published.append((agentID, event))
    }

    func events(to agentID: String) -> [AgentEvent] {
        published.filter { $0.agentID == agentID }.map(\.event)
    }

    /// Waits until an event to `agentID` matches, or gives up after `timeout`; returns the match.
    func waitFor(
        _ agentID: String, timeout: Duration = .seconds(5), _ matches: @Sendable (AgentEvent) -> Bool
    ) async -> AgentEvent? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = events(to: agentID).first(where: matches) { return event }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

/// Records each publish call's events ("agent type"); while closed, a call waits until the sink is opened.
actor GatedSink: AgentEventSink {
    private(set) var calls: [[String]] = []
    private var closed = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func close() { closed = true }

    func open() {
        closed = false
        for waiter in waiting { waiter.resume() }
        waiting = []
    }

    func publish(_ event: AgentEvent, to agentID: String) async {
        await publish([(event, agentID)])
    }

    func publish(_ events: [(event: AgentEvent, agentID: String)]) async {
        calls.append(events.map { "\($0.agentID) \($0.event.type)" })
        if closed { await withCheckedContinuation { waiting.append($0) } }
    }
}

/// Stores assignments; while closed, a call waits until the store is opened.
actor GatedAssignments: AssignmentStore {
    private(set) var assigned: [String: String?] = [:]
    private(set) var waitingCount = 0
    private var closed = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func close() { closed = true }

    func open() {
        closed = false
        for waiter in waiting { waiter.resume() }
        waiting = []
    }

    func assignConversation(id: String, to agentID: String?) async throws {
        if closed {
            waitingCount += 1
            await withCheckedContinuation { waiting.append($0) }
        }
        assigned[id] = .some(agentID)
    }
}
