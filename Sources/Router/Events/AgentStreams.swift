import Foundation
import Switchboard

/// What an SSE stream does when it opens: sign in, the presence when the client lacks it, and the pending
/// notifications its replay lacked. In a cluster the leader does it, on the follower's behalf.
public struct StreamSignIn: Codable, Sendable {
    public var agentID: String
    public var sendPresence: Bool
    public var replayedNotificationIDs: [String]

    public init(agentID: String, sendPresence: Bool, replayedNotificationIDs: [String]) {
        self.agentID = agentID
        self.sendPresence = sendPresence
        self.replayedNotificationIDs = replayedNotificationIDs
    }
}

/// Where agents' event streams sign in and out: this process's router, or a cluster's leader (`Cluster`).
public protocol AgentStreamSessions: Sendable {
    /// Whether streams are written from the store (a cluster): a new stream then starts after the last stored
    /// event rather than with the next one published here.
    var streamsReadTheStore: Bool { get }
    func streamOpened(_ signIn: StreamSignIn) async
    func streamClosed(agentID: String) async
}

/// One process, one router: streams sign in and out of it directly.
public struct LocalAgentStreams: AgentStreamSessions {
    let routers: RouterSlot
    let hub: AgentEventHub

    public init(routers: RouterSlot, hub: AgentEventHub) {
        self.routers = routers
        self.hub = hub
    }

    public var streamsReadTheStore: Bool { false }

    public func streamOpened(_ signIn: StreamSignIn) async {
        await routers.current.signIn(signIn, hub: hub)
    }

    public func streamClosed(agentID: String) async {
        await routers.current.agentDisconnected(agentID)
    }
}

extension EmbeddedRouter {
    /// What an opening stream does on the router that runs: sign in; the presence when the client lacks it;
    /// pending notifications its replay lacked.
    nonisolated public func signIn(_ signIn: StreamSignIn, hub: AgentEventHub) async {
        let agentID = signIn.agentID
        await agentConnected(agentID)
        if signIn.sendPresence, let presence = await presence(agentID: agentID) {
            await hub.publish(.presence(agentID: agentID, presence), to: agentID)
        }
        let replayed = Set(signIn.replayedNotificationIDs)
        for notification in await pendingNotifications(agentID: agentID)
        where !replayed.contains(notification.id) {
            await hub.publish(.notification(notification), to: agentID)
        }
    }
}

extension AgentEventHub {
    /// The agent's newest stored event number (0: none).
    package func lastSequence(agentID: String) async throws -> Int64 {
        try await store.lastAgentEventSequence(agentID: agentID)
    }

    /// The kept events after `lastEventID` (`Last-Event-ID`), or none when it is unknown or expired: events
    /// after it were trimmed away, or are older than a day.
    package func replay(agentID: String, after lastEventID: Int64) async throws -> [StreamEvent] {
        guard lastEventID >= 0 else { return [] }
        let newest = try await store.lastAgentEventSequence(agentID: agentID)
        guard lastEventID <= newest else { return [] }
        let events = try await store.agentEvents(agentID: agentID, after: lastEventID)
        let oldestAllowed = clock.now().addingTimeInterval(-24 * 3600)
        if let first = events.first, first.sequence != lastEventID + 1 || first.at < oldestAllowed { return [] }
        return events.map { StreamEvent(sequence: $0.sequence, type: $0.type, data: $0.data) }
    }
}

extension EmbeddedRouter {
    /// Accept and connect (`POST /v1/notifications/{id}/accept`): the router decides who wins; a voice call then
    /// goes to the agent it assigned (``Gateway/connectCall(conversationID:)``), answered after, so the agent's
    /// phone is already ringing when the console shows the conversation.
    nonisolated public func accept(
        notificationID: String, by actor: RouterActor, connectingCallsThrough gateway: Gateway
    ) async throws -> NotificationAnswer {
        let answer = try await accept(notificationID: notificationID, by: actor)
        if let conversationID = answer.conversationId {
            await gateway.connectCall(conversationID: conversationID)
        }
        return answer
    }
}
