import Foundation
import Switchboard

// Read-only views of the router's state, for the `/v1` API and SSE reconnects.
extension RoutingStateMachine {
    /// The agent as `GET /v1/agents/{id}` shows it, or `nil` if it is not configured.
    public func snapshot(agentID: String) -> AgentSnapshot? {
        guard let agent = agents[agentID] else { return nil }
        return AgentSnapshot(
            id: agent.id, name: agent.profile.name, role: agent.profile.role, queues: agent.profile.queues,
            presence: agent.presence.status, presenceSetBy: agent.presence.setBy,
            presenceReason: agent.presence.reason, signedIn: agent.signedIn, activeSessions: agent.sessions.count,
            capacity: agent.profile.capacity, usedCapacity: agent.usedCapacity)
    }

    /// Every configured agent and supervisor, in configuration order.
    public func snapshots() -> [AgentSnapshot] {
        agentOrder.compactMap { snapshot(agentID: $0) }
    }

    /// The agent's presence with the time it was set.
    public func presence(agentID: String) -> Presence? {
        agents[agentID]?.presence
    }

    /// Notifications still pending for the agent (alerts, then banners, oldest first), to re-send when a
    /// stream reconnects.
    public func pendingNotifications(agentID: String) -> [AgentNotification] {
        guard let agent = agents[agentID] else { return [] }
        return (agent.pendingAlerts + agent.banners).compactMap { notifications[$0]?.notification }
    }

    /// Every offer of the conversation, oldest first (also after it closed, while the router remembers it).
    public func offers(conversationID: String) -> [OfferRecord] {
        items[conversationID]?.offers ?? []
    }

    /// The agent who has a pending offer of the conversation, so that it may read the conversation.
    public func pendingNotificationAgent(conversationID: String) -> String? {
        guard let id = items[conversationID]?.pendingNotificationID else { return nil }
        return notifications[id]?.agentID
    }

    /// The agent holding the conversation, according to the router.
    public func holder(conversationID: String) -> String? {
        holder(of: conversationID)
    }

    /// Why the conversation waits, per agent of its queue, or `nil` when it does not wait.
    public func waitingReason(conversationID: String) -> String? {
        guard let item = items[conversationID], item.isWaiting else { return nil }
        return waitingReason(for: item)
    }

    /// Conversations waiting for an agent, in the order they will be served.
    public func waitingConversations() -> [String] {
        items.waiting.values.sorted(by: ItemTable.WaitingKey.servedBefore).map(\.id)
    }

    func waitingReason(for item: RoutedItem) -> String {
        let queue = item.request.queue
        let members = agents.queueMembers[queue] ?? []
        guard !members.isEmpty else { return "no agent serves queue \(queue)" }
        // A large queue names the first agents and counts the others, so that the reason stays readable.
        let shown = members.prefix(Self.waitingReasonAgentLimit).compactMap { agents[$0] }
        var reasons = shown.map { "\($0.id) \(ineligibility(of: $0, for: item) ?? "eligible")" }
        if members.count > shown.count { reasons.append("and \(members.count - shown.count) more") }
        return "no eligible agent in queue \(queue): " + reasons.joined(separator: "; ")
    }

    static let waitingReasonAgentLimit = 20

    /// "inactive since 10:02:07 UTC (missed notification)".
    static func describe(_ presence: Presence) -> String {
        let why = presence.reason.map { $0.replacingOccurrences(of: "-", with: " ") } ?? "set by \(presence.setBy)"
        return "\(presence.status.rawValue) since \(clockTime(presence.since)) (\(why))"
    }

    static func clockTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let ofDay = ((seconds % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d:%02d UTC", ofDay / 3600, ofDay % 3600 / 60, ofDay % 60)
    }
}
