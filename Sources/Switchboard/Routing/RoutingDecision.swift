import Foundation

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
    /// The conversation the decision is about (for a work item: ``workItemID``).
    public var conversationID: String?
    public var workItemID: String?
    public var agentID: String?
    public var notificationID: String?
    public var reason: String

    public init(
        at: Date, kind: Kind, conversationID: String? = nil, workItemID: String? = nil, agentID: String? = nil,
        notificationID: String? = nil, reason: String
    ) {
        self.at = at
        self.kind = kind
        self.conversationID = conversationID
        self.workItemID = workItemID
        self.agentID = agentID
        self.notificationID = notificationID
        self.reason = reason
    }
}
