import Foundation
import Switchboard

/// Who asks the router to do something: decides what they may act on (CONTRACT.md §5).
public enum RouterActor: Sendable, Hashable {
    /// An agent, who may act only on itself and its own notifications.
    case agent(String)
    /// A supervisor, who may act on every agent.
    case supervisor(String)
    /// The holder of `adminToken`.
    case admin

    /// The presence setter this actor stands for when it sets someone's presence.
    var presenceSetter: PresenceSetter {
        switch self {
        case .agent: .agent
        case .supervisor, .admin: .supervisor
        }
    }

    /// Whether this actor may act for `agentID`.
    func mayActFor(_ agentID: String) -> Bool {
        switch self {
        case .agent(let id): id == agentID
        case .supervisor, .admin: true
        }
    }
}

/// The answer to an accept or reject (`POST /v1/notifications/{id}/accept|reject`).
public struct NotificationAnswer: Sendable, Codable, Hashable {
    public var id: String
    public var outcome: NotificationOutcome
    public var conversationId: String?
    public var workItemId: String?

    public init(id: String, outcome: NotificationOutcome, conversationId: String? = nil, workItemId: String? = nil) {
        self.id = id
        self.outcome = outcome
        self.conversationId = conversationId
        self.workItemId = workItemId
    }
}

/// One offer of an item to an agent (`offers` of a conversation, CONTRACT.md §5).
public struct OfferRecord: Sendable, Codable, Hashable {
    public var notificationId: String
    public var agentId: String
    public var at: Date
    /// `nil` while the offer is pending.
    public var outcome: NotificationOutcome?

    public init(notificationId: String, agentId: String, at: Date, outcome: NotificationOutcome? = nil) {
        self.notificationId = notificationId
        self.agentId = agentId
        self.at = at
        self.outcome = outcome
    }
}

/// An agent as `GET /v1/agents/{id}` shows it (CONTRACT.md §5), encoded with the contract's names.
public struct AgentSnapshot: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var role: Configuration.Role
    public var queues: [String]
    public var presence: PresenceStatus
    public var presenceSetBy: PresenceSetter
    public var presenceReason: String?
    public var signedIn: Bool
    public var activeSessions: Int
    public var capacity: Int
    public var usedCapacity: Int

    public init(
        id: String, name: String, role: Configuration.Role, queues: [String], presence: PresenceStatus,
        presenceSetBy: PresenceSetter, presenceReason: String?, signedIn: Bool, activeSessions: Int, capacity: Int,
        usedCapacity: Int
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.queues = queues
        self.presence = presence
        self.presenceSetBy = presenceSetBy
        self.presenceReason = presenceReason
        self.signedIn = signedIn
        self.activeSessions = activeSessions
        self.capacity = capacity
        self.usedCapacity = usedCapacity
    }
}

/// What a request-answering transition of ``RoutingStateMachine`` returns: the answer or the error for the
/// caller, and the effects to execute either way.
public struct RoutingResult<Value: Sendable>: Sendable {
    public var result: Result<Value, SwitchboardError>
    public var effects: [RoutingEffect]

    public init(result: Result<Value, SwitchboardError>, effects: [RoutingEffect]) {
        self.result = result
        self.effects = effects
    }

    static func failure(_ error: SwitchboardError) -> Self { .init(result: .failure(error), effects: []) }
}
