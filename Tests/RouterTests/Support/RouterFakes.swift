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

/// While closed, whoever passes waits until it is opened.
actor Gate {
    private var closed = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// How many have waited at it.
    private(set) var waitedCount = 0

    func close() { closed = true }

    func open() {
        closed = false
        for waiter in waiting { waiter.resume() }
        waiting = []
    }

    func pass() async {
        guard closed else { return }
        waitedCount += 1
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// Records each publish call's events ("agent type"); a call waits at `gate` (after being recorded).
actor GatedSink: AgentEventSink {
    let gate = Gate()
    private(set) var calls: [[String]] = []

    func publish(_ event: AgentEvent, to agentID: String) async {
        await publish([(event, agentID)])
    }

    func publish(_ events: [(event: AgentEvent, agentID: String)]) async {
        calls.append(events.map { "\($0.agentID) \($0.event.type)" })
        await gate.pass()
    }
}

/// Stores assignments; a call waits at `gate` first.
actor GatedAssignments: AssignmentStore {
    let gate = Gate()
    private(set) var assigned: [String: String?] = [:]

    func assignConversation(id: String, to agentID: String?) async throws {
        await gate.pass()
        assigned[id] = .some(agentID)
    }
}
