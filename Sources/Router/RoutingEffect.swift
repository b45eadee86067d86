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
}

/// One routing decision and why it was taken, so that any outcome can be explained afterwards.
/// Decisions name agents, conversations and notifications by id, never a customer's phone number.
public struct RoutingDecision: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An item came in, or came back, and waits for an eligible agent.
        case waiting
        case offered
        case accepted
        case autoAccepted = "auto-accepted"
        case rejected
        case timedOut = "timed-out"
        case withdrawn
        case assigned
        case released
        case transferred
        /// The router took an item back from an agent who never saw it, to route it again.
        case rerouted
        case presence
        case signedIn = "signed-in"
        case signedOut = "signed-out"
        /// A request that changed nothing (a duplicate notify, an unknown conversation).
        case ignored
        /// The runtime could not persist an effect.
        case storeFailed = "store-failed"
    }

    public var at: Date
    public var kind: Kind
    public var conversationID: String?
    public var agentID: String?
    public var notificationID: String?
    public var reason: String

    public init(
        at: Date, kind: Kind, conversationID: String? = nil, agentID: String? = nil, notificationID: String? = nil,
        reason: String
    ) {
        self.at = at
        self.kind = kind
        self.conversationID = conversationID
        self.agentID = agentID
        self.notificationID = notificationID
        self.reason = reason
    }
}
