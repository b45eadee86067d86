import Foundation
import Switchboard

/// A timer the router asks its runtime to run. Firing it feeds
/// ``RoutingStateMachine/timerFired(_:now:)``; a timer that fires after it stopped mattering changes nothing.
public enum RoutingTimerID: Sendable, Hashable {
    /// An alert not answered within its timeout.
    case alertTimeout(notificationID: String)
    /// An agent whose last stream closed: it signs out when this fires.
    case disconnectGrace(agentID: String)
    /// An item assigned while its agent's stream was disconnected, rerouted unless the agent opened it.
    case unseenReroute(itemID: String)
}

/// Something the runtime does for the state machine, in the order given.
public enum RoutingEffect: Sendable, Hashable {
    /// Send an event to an agent's stream.
    case publish(AgentEvent, to: String)
    /// Persist who holds the conversation.
    case assign(conversationID: String, agentID: String)
    /// Persist that nobody holds the conversation (transferred to a queue, or taken back unseen).
    case unassign(conversationID: String)
    /// Run (or re-run, replacing any with this id) a timer that fires at `at`.
    case scheduleTimer(RoutingTimerID, at: Date)
    case cancelTimer(RoutingTimerID)
    /// Append a decision to the routing log.
    case log(RoutingDecision)
    /// Persist a work item as it is now (the runtime adds these for the work items a transition changed).
    case saveWorkItem(WorkItemRecord)
}
