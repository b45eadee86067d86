import Foundation

/// Presence statuses (CONTRACT.md §8). `inactive` is set only by the system.
public enum PresenceStatus: String, Sendable, Codable, Hashable, CaseIterable {
    case available
    case busy
    case dnd
    case away
    case offline
    case inactive
}

public enum PresenceSetter: String, Sendable, Codable, Hashable {
    case agent
    case system
    case supervisor
}

/// An agent's presence and how it came about.
public struct Presence: Sendable, Codable, Hashable {
    public var status: PresenceStatus
    public var setBy: PresenceSetter
    /// `load`, `missed-notification`, `rejected`, `max-sessions`, `reset`, `disconnected`.
    public var reason: String?
    public var since: Date

    public init(status: PresenceStatus, setBy: PresenceSetter, reason: String?, since: Date) {
        self.status = status
        self.setBy = setBy
        self.reason = reason
        self.since = since
    }
}

/// Why an agent's conversation closed (`conversation.closed` `reason`).
public enum ConversationCloseReason: String, Sendable, Codable, Hashable {
    case closedByAgent = "closed-by-agent"
    case closedBySupervisor = "closed-by-supervisor"
    case transferred
    case customerHungUp = "customer-hung-up"
    /// Remote mode: the external core closed it (`POST /v1/conversations/{id}/close` with `router.token`).
    case closedByCore = "closed-by-core"
}

/// An event on an agent's stream (CONTRACT.md §6).
public enum AgentEvent: Sendable, Hashable {
    case notification(AgentNotification)
    case notificationClosed(id: String, outcome: NotificationOutcome)
    case presence(agentID: String, Presence)
    case message(conversationID: String, Message)
    case messageStatus(conversationID: String, messageID: String, status: MessageStatus, error: ProviderErrorDetail?)
    case conversationClosed(conversationID: String, reason: ConversationCloseReason)

    /// The SSE `event:` name.
    public var type: String {
        switch self {
        case .notification: "notification"
        case .notificationClosed: "notification.closed"
        case .presence: "presence"
        case .message: "message"
        case .messageStatus: "message.status"
        case .conversationClosed: "conversation.closed"
        }
    }
}

/// Where the router and the gateway publish agent events. The server's event hub implements it:
/// it numbers each event, keeps it for replay and writes it to the agent's open streams.
public protocol AgentEventSink: Sendable {
    func publish(_ event: AgentEvent, to agentID: String) async
    /// Publishes several events in this order (the default implementation one by one; the hub stores them
    /// together).
    func publish(_ events: [(event: AgentEvent, agentID: String)]) async
}

extension AgentEventSink {
    public func publish(_ events: [(event: AgentEvent, agentID: String)]) async {
        for (event, agentID) in events { await publish(event, to: agentID) }
    }
}

/// The core router as the gateway sees it: embedded (`Router.EmbeddedRouter`) or remote.
public protocol CoreRouter: Sendable {
    /// Asks for an agent to be notified about a conversation that needs one.
    func notify(_ request: NotificationRequest) async
    /// A new inbound message in a conversation: its holder, if any, gets a `message` event.
    func messageArrived(_ message: Message, in conversation: Conversation) async
    /// An outbound message's status changed: its conversation's holder gets a `message.status` event.
    func messageStatusChanged(_ message: Message, in conversation: Conversation) async
    /// A conversation was closed from outside the agent API (the caller hung up): a pending offer is withdrawn;
    /// its holder gets `conversation.closed` and its capacity is released.
    func closeConversation(id: String, reason: ConversationCloseReason) async
    /// The provider could not put the call of an assigned conversation through to its agent: the agent lets go of
    /// it (`conversation.closed`, `transferred`) and it is routed again from its queue (decision reason
    /// `connect-failed`). An external core, which asked for the connect itself, has nothing to do.
    func callConnectFailed(conversationID: String) async
    /// The customer opted out (`optedOut`) or back in on the channel of `conversationID`, by keyword or a
    /// provider's signal. Only an external core hears of it (§11); the embedded router has nothing to do.
    func customerOptChanged(optedOut: Bool, conversationID: String) async
    /// In remote core mode, the events an inbound message produces, which the store writes in the message's own
    /// transaction (``InboundRecord/coreEvents``); `nil` when the router is told after the commit instead.
    var inboundEvents: InboundCoreEvents? { get }
    /// The store wrote ``inboundEvents`` with a message (instead of ``notify(_:)`` or ``messageArrived(_:in:)``).
    func inboundEventsWritten() async
}

extension CoreRouter {
    public func callConnectFailed(conversationID: String) async {}
    public func customerOptChanged(optedOut: Bool, conversationID: String) async {}
    public var inboundEvents: InboundCoreEvents? { nil }
    public func inboundEventsWritten() async {}
}

/// The wall clock, injectable so that tests control time: what the domain stamps, and what its waits (a channel's
/// send-rate spacing) sleep on.
public protocol WallClock: Sendable {
    func now() -> Date
    /// Suspends for `duration` of this clock's time; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

extension WallClock {
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
