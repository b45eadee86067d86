import Foundation
import Switchboard

/// In a cluster the leader stores every agent event; each instance writes the events of the agents whose
/// streams it holds from the store, in sequence order, each once: a NOTIFY says an agent has news, and a
/// check every second catches up whatever a lost notification left behind.
extension AgentEventHub {
    /// Opens a stream that gets every event numbered above `after` (read before subscribing, so nothing
    /// stored meanwhile is missed; the stream drops what it already wrote).
    package func subscribe(agentID: String, after: Int64) -> (id: UUID, events: AsyncStream<StreamEvent>) {
        let subscription = subscribe(agentID: agentID)
        startDelivery(agentID: agentID, after: after)
        return subscription
    }

    /// ``subscribe(agentID:deliver:finish:)`` for a stream whose events come through the store, after `after`.
    package func subscribe(
        agentID: String, after: Int64, deliver: @escaping @Sendable (StreamEvent) -> Void,
        finish: @escaping @Sendable () -> Void
    ) -> UUID {
        let id = subscribe(agentID: agentID, deliver: deliver, finish: finish)
        startDelivery(agentID: agentID, after: after)
        return id
    }

    private func startDelivery(agentID: String, after: Int64) {
        agents.withLock { agents in
            if agents[agentID]?.delivered == nil { agents[agentID]?.delivered = after }
        }
    }

    /// Writes the agent's stored events after the last one written, in order. Calls that overlap run one
    /// read after another (the later asks the running one to read again), so no event is written twice.
    package func catchUp(agentID: String) async {
        let claimed = agents.withLock { agents -> Bool in
            guard var state = agents[agentID], state.delivered != nil else { return false }
            if state.catchingUp {
                state.catchUpAgain = true
                agents[agentID] = state
                return false
            }
            state.catchingUp = true
            state.catchUpAgain = false
            agents[agentID] = state
            return true
        }
        guard claimed else { return }
        while true {
            var events: [StoredAgentEvent] = []
            if let after = agents.withLock({ $0[agentID]?.delivered }) {
                do {
                    events = try await store.agentEvents(agentID: agentID, after: after)
                } catch {
                    logger.warning("cannot read the events of agent \(agentID) to deliver: \(error)")
                }
            }
            let again = agents.withLock { agents -> Bool in
                guard var state = agents[agentID] else { return false }
                for event in events {
                    guard let delivered = state.delivered, event.sequence > delivered else { continue }
                    let written = StreamEvent(sequence: event.sequence, type: event.type, data: event.data)
                    for subscriber in state.subscribers.values { subscriber.deliver(written) }
                    state.delivered = event.sequence
                }
                let again = state.catchUpAgain && state.delivered != nil
                state.catchUpAgain = false
                state.catchingUp = again
                agents[agentID] = state
                return again
            }
            if !again { return }
        }
    }

    /// Catches up every agent with a stream open here whose log has events this instance did not write.
    package func catchUpBehind() async {
        let open = agents.withLock { $0.compactMapValues(\.delivered) }
        for (agentID, delivered) in open {
            guard let last = try? await store.lastAgentEventSequence(agentID: agentID), last > delivered else {
                continue
            }
            await catchUp(agentID: agentID)
        }
    }

    /// Catches up every agent with a stream open here (after the LISTEN connection was down).
    package func catchUpAll() async {
        let open = agents.withLock { $0.compactMapValues(\.delivered) }
        for agentID in open.keys { await catchUp(agentID: agentID) }
    }
}
