import Foundation
import Switchboard

// Sign-in, sign-out and presence (CONTRACT.md §8 "Sign-in", "System-computed status").
extension RoutingStateMachine {
    /// One of the agent's event streams opened. The first signs it in; one opening during the disconnect
    /// grace period keeps it signed in.
    public mutating func agentConnected(_ agentID: String, now: Date) -> [RoutingEffect] {
        guard var agent = agents[agentID] else { return [] }
        agent.openStreams += 1
        agents[agentID] = agent
        var effects: [RoutingEffect] = []
        if agent.signedIn {
            if agent.openStreams == 1 {
                effects.append(.cancelTimer(.disconnectGrace(agentID: agentID)))
                effects.append(
                    .log(
                        .init(at: now, kind: .signedIn, agentID: agentID, reason: "reconnected within the grace period")
                    ))
            }
            return effects
        }
        signIn(agentID, now: now, into: &effects)
        dispatchWaiting(now: now, into: &effects)
        return effects
    }

    /// One of the agent's event streams closed. When it was the last, the agent signs out after
    /// `disconnectGraceSeconds` unless a stream opens again.
    public mutating func agentDisconnected(_ agentID: String, now: Date) -> [RoutingEffect] {
        guard var agent = agents[agentID], agent.openStreams > 0 else { return [] }
        agent.openStreams -= 1
        guard agent.openStreams == 0, agent.signedIn else {
            agents[agentID] = agent
            return []
        }
        agent.disconnectedAt = now
        agents[agentID] = agent
        var effects: [RoutingEffect] = []
        if settings.disconnectGraceSeconds > 0 {
            let deadline = now.addingTimeInterval(settings.disconnectGraceSeconds)
            effects.append(.scheduleTimer(.disconnectGrace(agentID: agentID), at: deadline))
        } else {
            signOut(agentID, now: now, into: &effects)
            dispatchWaiting(now: now, into: &effects)
        }
        return effects
    }

    /// A new cluster leader restores the presence the agent had under the previous leader (its last `presence`
    /// event), as if the agent had just disconnected: when its streams register again within
    /// `reconnectWindowSeconds`, it gets that presence back instead of the one computed from its load.
    /// A signed-in agent, an unknown one and an `offline` presence change nothing.
    public mutating func restorePresence(_ presence: Presence, of agentID: String, now: Date) -> [RoutingEffect] {
        guard var agent = agents[agentID], !agent.signedIn, presence.status != .offline else { return [] }
        agent.presenceBeforeSignOut = (presence, presence.setBy == .system && presence.reason == "load")
        agent.disconnectedAt = now
        agents[agentID] = agent
        return []
    }

    /// The agent (or a supervisor for it) sets its presence. `inactive` is the system's alone.
    public mutating func setPresence(
        agentID: String, status: PresenceStatus, by actor: RouterActor, now: Date
    ) -> RoutingResult<AgentSnapshot> {
        guard agents[agentID] != nil else { return .failure(.notFound("agent \(agentID) is not configured")) }
        guard actor.mayActFor(agentID) else {
            return .failure(.forbidden("an agent may set only its own presence, not that of \(agentID)"))
        }
        guard status != .inactive else {
            return .failure(
                .invalidRequest(
                    "presence inactive is set only by the system; choose available, busy, dnd, away or offline",
                    field: "status"))
        }
        var effects: [RoutingEffect] = []
        withdrawBanners(of: agentID, now: now, into: &effects)
        let presence = Presence(status: status, setBy: actor.presenceSetter, reason: nil, since: now)
        change(agentID, to: presence, followsLoad: false, now: now, into: &effects)
        dispatchWaiting(now: now, into: &effects)
        return snapshotResult(agentID, effects: effects)
    }

    /// A supervisor or admin puts the agent back on the system-computed status (`setBy: supervisor`,
    /// reason `reset`), which then follows load.
    public mutating func resetPresence(
        agentID: String, by actor: RouterActor, now: Date
    ) -> RoutingResult<AgentSnapshot> {
        guard let agent = agents[agentID] else { return .failure(.notFound("agent \(agentID) is not configured")) }
        if case .agent = actor {
            return .failure(.forbidden("only a supervisor or the admin may reset the presence of \(agentID)"))
        }
        var effects: [RoutingEffect] = []
        withdrawBanners(of: agentID, now: now, into: &effects)
        let status = agent.signedIn ? agent.statusByLoad : .offline
        let presence = Presence(status: status, setBy: .supervisor, reason: "reset", since: now)
        change(agentID, to: presence, followsLoad: agent.signedIn, now: now, into: &effects)
        dispatchWaiting(now: now, into: &effects)
        return snapshotResult(agentID, effects: effects)
    }

    // MARK: Internals

    private func snapshotResult(_ agentID: String, effects: [RoutingEffect]) -> RoutingResult<AgentSnapshot> {
        guard let snapshot = snapshot(agentID: agentID) else {
            return .init(result: .failure(.notFound("agent \(agentID) is not configured")), effects: effects)
        }
        return .init(result: .success(snapshot), effects: effects)
    }

    /// Signs the agent in: the system-computed status, or the presence it had when it disconnected if that
    /// was within `reconnectWindowSeconds`.
    mutating func signIn(_ agentID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard var agent = agents[agentID] else { return }
        agent.signedIn = true
        let saved = agent.presenceBeforeSignOut
        agent.presenceBeforeSignOut = nil
        agents[agentID] = agent
        if let saved, let disconnectedAt = agent.disconnectedAt,
            now.timeIntervalSince(disconnectedAt) <= settings.reconnectWindowSeconds
        {
            effects.append(
                .log(.init(at: now, kind: .signedIn, agentID: agentID, reason: "within the reconnect window")))
            if saved.followsLoad {
                let presence = Presence(status: agent.statusByLoad, setBy: .system, reason: "load", since: now)
                change(agentID, to: presence, followsLoad: true, now: now, into: &effects)
            } else {
                var presence = saved.presence
                presence.since = now
                change(agentID, to: presence, followsLoad: false, now: now, into: &effects)
            }
            return
        }
        effects.append(.log(.init(at: now, kind: .signedIn, agentID: agentID, reason: "presence follows load")))
        withdrawBanners(of: agentID, now: now, into: &effects)
        let presence = Presence(status: agent.statusByLoad, setBy: .system, reason: "load", since: now)
        change(agentID, to: presence, followsLoad: true, now: now, into: &effects)
    }

    /// Signs the agent out: `offline` (system, `disconnected`); its pending offers are withdrawn and rerouted.
    /// Conversations it holds stay its own.
    mutating func signOut(_ agentID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard var agent = agents[agentID], agent.signedIn else { return }
        agent.presenceBeforeSignOut = (agent.presence, agent.followsLoad)
        agent.signedIn = false
        agents[agentID] = agent
        effects.append(
            .log(
                .init(
                    at: now, kind: .signedOut, agentID: agentID,
                    reason: "no stream for \(settings.disconnectGraceSeconds) s")))
        // Alerts of items the agent already holds (case assignments, auto-assign) stay: their timeout closes them
        // `auto-accepted` and starts the unseen-item reroute. Offers of items it does not hold are withdrawn.
        let withdrawn = agent.pendingAlerts.filter { id in
            guard let record = notifications[id] else { return false }
            let itemID = record.notification.conversationId ?? record.notification.workItemId
            return itemID.flatMap { items[$0]?.owner } != agentID
        }
        let offered = withdrawn.compactMap {
            notifications[$0].flatMap { $0.notification.conversationId ?? $0.notification.workItemId }
        }
        for id in withdrawn {
            close(id, outcome: .withdrawn, now: now, into: &effects)
        }
        let presence = Presence(status: .offline, setBy: .system, reason: "disconnected", since: now)
        change(agentID, to: presence, followsLoad: false, now: now, into: &effects)
        for conversationID in offered {
            route(conversationID, now: now, into: &effects)
        }
    }

    /// After an accept or a close: a presence that follows load (or the agent's own `available`) becomes
    /// the system-computed status.
    mutating func applyLoad(to agentID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard let agent = agents[agentID], agent.signedIn, agent.presenceYieldsToLoad else { return }
        let status = agent.statusByLoad
        // Unchanged load keeps the presence as it is (a reset's label stays until the status moves).
        if agent.followsLoad && agent.presence.status == status { return }
        let presence = Presence(status: status, setBy: .system, reason: "load", since: now)
        change(agentID, to: presence, followsLoad: true, now: now, into: &effects)
    }

    /// The system sets a presence that no load change undoes, with a banner saying why.
    mutating func setSystemPresence(
        _ agentID: String, _ status: PresenceStatus, reason: String, banner scenario: Scenario,
        cause: AgentNotification, now: Date, into effects: inout [RoutingEffect]
    ) {
        setSystemPresence(
            agentID, status, reason: reason, banner: scenario, medium: cause.channel, channelID: cause.channelId,
            now: now, into: &effects)
    }

    /// The system sets a presence that no load change undoes, with a banner saying why.
    mutating func setSystemPresence(
        _ agentID: String, _ status: PresenceStatus, reason: String, banner scenario: Scenario, medium: Medium,
        channelID: String?, now: Date, into effects: inout [RoutingEffect]
    ) {
        guard agents[agentID] != nil else { return }
        let presence = Presence(status: status, setBy: .system, reason: reason, since: now)
        change(agentID, to: presence, followsLoad: false, now: now, into: &effects)
        let id = nextNotificationID()
        let banner = NotificationContent.banner(
            id: id, scenario: scenario, medium: medium, channelID: channelID, settings: settings, now: now)
        notifications[id] = NotificationRecord(notification: banner, agentID: agentID)
        agents[agentID]?.banners.append(id)
        effects.append(.publish(.notification(banner), to: agentID))
    }

    /// Banners explain a presence the system set; once presence is set or reset they no longer apply.
    mutating func withdrawBanners(of agentID: String, now: Date, into effects: inout [RoutingEffect]) {
        for id in agents[agentID]?.banners ?? [] {
            close(id, outcome: .withdrawn, now: now, into: &effects)
        }
    }

    /// Changes the agent's presence and tells it and every supervisor, unless nothing visible changed.
    mutating func change(
        _ agentID: String, to presence: Presence, followsLoad: Bool, now: Date, into effects: inout [RoutingEffect]
    ) {
        guard var agent = agents[agentID] else { return }
        agent.followsLoad = followsLoad
        let old = agent.presence
        let unchanged = old.status == presence.status && old.setBy == presence.setBy && old.reason == presence.reason
        if !unchanged { agent.presence = presence }
        agents[agentID] = agent
        guard !unchanged else { return }
        let event = AgentEvent.presence(agentID: agentID, presence)
        effects.append(.publish(event, to: agentID))
        for supervisor in supervisorIDs where supervisor != agentID {
            effects.append(.publish(event, to: supervisor))
        }
        let setter = presence.reason.map { "\(presence.setBy.rawValue), \($0)" } ?? presence.setBy.rawValue
        effects.append(
            .log(
                .init(
                    at: now, kind: .presence, agentID: agentID,
                    reason: "\(old.status.rawValue) → \(presence.status.rawValue) (\(setter))")))
    }
}
