import Foundation
import Switchboard

// Offers: who is eligible, who is chosen, and how an offer ends (CONTRACT.md §8 "Eligible", "Offers").
extension RoutingStateMachine {
    /// Offers waiting items, most urgent first, each to the best agent eligible for it.
    mutating func dispatchWaiting(now: Date, into effects: inout [RoutingEffect]) {
        let waiting = items.values.filter(\.isWaiting).sorted(by: RoutedItem.servedBefore)
        for item in waiting {
            guard let (agentID, why) = bestAgent(for: item) else { continue }
            offer(item.conversationID, to: agentID, why: why, now: now, into: &effects)
        }
    }

    /// Offers waiting items, then logs why `conversationID` still waits if it does.
    mutating func route(_ conversationID: String?, now: Date, into effects: inout [RoutingEffect]) {
        dispatchWaiting(now: now, into: &effects)
        guard let conversationID, let item = items[conversationID], item.isWaiting else { return }
        effects.append(
            .log(.init(at: now, kind: .waiting, conversationID: conversationID, reason: waitingReason(for: item))))
    }

    /// The agent to offer `item` to, and why. Agents offered the item fewer times come first (a reject or
    /// timeout passes it on), then the most free capacity, then the least recently offered anything.
    func bestAgent(for item: RoutedItem) -> (agentID: String, why: String)? {
        let eligible = agentOrder.enumerated().compactMap { index, id -> (index: Int, agent: AgentState)? in
            guard let agent = agents[id], ineligibility(of: agent, for: item) == nil else { return nil }
            return (index, agent)
        }
        let best = eligible.min { a, b in
            let offersA = item.offerCount(to: a.agent.id)
            let offersB = item.offerCount(to: b.agent.id)
            if offersA != offersB { return offersA < offersB }
            if a.agent.freeCapacity != b.agent.freeCapacity { return a.agent.freeCapacity > b.agent.freeCapacity }
            switch (a.agent.lastOfferedAt, b.agent.lastOfferedAt) {
            case (nil, .some): return true
            case (.some, nil): return false
            case (.some(let x), .some(let y)) where x != y: return x < y
            default: return a.index < b.index
            }
        }
        guard let best else { return nil }
        let agent = best.agent
        let why =
            "\(eligible.count) eligible in queue \(item.request.queue); \(agent.id) has \(agent.freeCapacity) of "
            + "\(agent.profile.capacity) free, offered this item \(item.offerCount(to: agent.id)) times before"
        return (agent.id, why)
    }

    /// Why `agent` cannot be offered `item` now, or `nil` when it can (CONTRACT.md §8 "Eligible").
    func ineligibility(of agent: AgentState, for item: RoutedItem) -> String? {
        if agent.profile.role != .agent { return "is a supervisor" }
        if !agent.profile.queues.contains(item.request.queue) { return "does not serve queue \(item.request.queue)" }
        if !agent.signedIn { return "offline (signed out)" }
        if !agent.presenceAcceptsWork { return Self.describe(agent.presence) }
        if agent.sessions.count >= settings.maxSessions { return "at \(agent.sessions.count) sessions" }
        if agent.freeCapacity < item.cost {
            return "at capacity (\(agent.usedCapacity) of \(agent.profile.capacity) used, needs \(item.cost))"
        }
        if agent.pendingAlerts.count >= settings.maxPendingAlerts {
            return "has \(agent.pendingAlerts.count) pending alert\(agent.pendingAlerts.count == 1 ? "" : "s")"
        }
        let offered = item.offerCount(to: agent.id)
        if offered >= settings.maxOffersPerAgent { return "offered this item \(offered) times" }
        return nil
    }

    /// Sends `agentID` an alert offering the conversation.
    mutating func offer(
        _ conversationID: String, to agentID: String, why: String, now: Date, into effects: inout [RoutingEffect]
    ) {
        guard var item = items[conversationID] else { return }
        let id = nextNotificationID()
        let notification = NotificationContent.alert(id: id, for: item.request, settings: settings, now: now)
        notifications[id] = NotificationRecord(notification: notification, agentID: agentID)
        item.pendingNotificationID = id
        item.offers.append(OfferRecord(notificationId: id, agentId: agentID, at: now))
        items[conversationID] = item
        agents[agentID]?.lastOfferedAt = now
        agents[agentID]?.pendingAlerts.append(id)
        effects.append(
            .log(
                .init(
                    at: now, kind: .offered, conversationID: conversationID, agentID: agentID, notificationID: id,
                    reason: why)))
        effects.append(.publish(.notification(notification), to: agentID))
        if notification.autoAccept {
            close(id, outcome: .autoAccepted, now: now, into: &effects)
            assign(conversationID, to: agentID, now: now, into: &effects)
            return
        }
        if notification.autoAssign {
            assign(conversationID, to: agentID, now: now, into: &effects)
        }
        if let expiresAt = notification.expiresAt {
            effects.append(.scheduleTimer(.alertTimeout(notificationID: id), at: expiresAt))
        }
    }

    /// The conversation becomes the agent's: it uses its capacity and is persisted.
    mutating func assign(_ conversationID: String, to agentID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard var item = items[conversationID], !item.closed else { return }
        item.owner = agentID
        items[conversationID] = item
        agents[agentID]?.sessions[conversationID] = item.cost
        effects.append(.assign(conversationID: conversationID, agentID: agentID))
        effects.append(
            .log(
                .init(
                    at: now, kind: .assigned, conversationID: conversationID, agentID: agentID,
                    reason: "uses \(item.cost) capacity")))
        applyLoad(to: agentID, now: now, into: &effects)
    }

    /// The pending alert an actor answers, or the error the answer gets.
    func pendingAlert(
        _ notificationID: String, by actor: RouterActor, answer: String
    ) -> Result<NotificationRecord, SwitchboardError> {
        guard let record = notifications[notificationID] else {
            return .failure(.notFound("notification \(notificationID) does not exist"))
        }
        guard actor.mayActFor(record.agentID) else {
            return .failure(.forbidden("notification \(notificationID) was sent to another agent"))
        }
        if let outcome = record.outcome {
            return .failure(
                .conflict(
                    "not-pending", "notification \(notificationID) is no longer pending (\(outcome.rawValue))"))
        }
        guard record.notification.kind == .alert else {
            return .failure(
                .conflict(
                    "not-pending",
                    "notification \(notificationID) is a \(record.notification.kind.rawValue); only alerts can be "
                        + "answered with \(answer)"))
        }
        return .success(record)
    }

    /// Closes a pending notification with `outcome` and tells its agent.
    mutating func close(
        _ notificationID: String, outcome: NotificationOutcome, byTimer: Bool = false, now: Date,
        into effects: inout [RoutingEffect]
    ) {
        guard var record = notifications[notificationID], record.isPending else { return }
        record.outcome = outcome
        notifications[notificationID] = record
        agents[record.agentID]?.pendingAlerts.removeAll { $0 == notificationID }
        agents[record.agentID]?.banners.removeAll { $0 == notificationID }
        if record.notification.expiresAt != nil && !byTimer {
            effects.append(.cancelTimer(.alertTimeout(notificationID: notificationID)))
        }
        let conversationID = record.notification.conversationId
        if let conversationID, var item = items[conversationID] {
            if item.pendingNotificationID == notificationID { item.pendingNotificationID = nil }
            if let index = item.offers.firstIndex(where: { $0.notificationId == notificationID }) {
                item.offers[index].outcome = outcome
            }
            items[conversationID] = item
        }
        effects.append(.publish(.notificationClosed(id: notificationID, outcome: outcome), to: record.agentID))
        effects.append(
            .log(
                .init(
                    at: now, kind: Self.decisionKind(of: outcome), conversationID: conversationID,
                    agentID: record.agentID, notificationID: notificationID,
                    reason: "\(record.notification.kind.rawValue) closed \(outcome.rawValue)")))
        remember(closedNotification: notificationID)
    }

    /// An alert ran out: an auto-assigned item stays with its agent; any other goes to the next agent, and
    /// with `missedNotificationSetsInactive` the agent becomes `inactive` with a `missed` banner.
    mutating func alertTimedOut(_ notificationID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard let record = notifications[notificationID], record.isPending, record.notification.kind == .alert
        else { return }
        let conversationID = record.notification.conversationId
        if let conversationID, items[conversationID]?.owner == record.agentID {
            close(notificationID, outcome: .autoAccepted, byTimer: true, now: now, into: &effects)
            return
        }
        close(notificationID, outcome: .timedOut, byTimer: true, now: now, into: &effects)
        if settings.missedNotificationSetsInactive {
            setSystemPresence(
                record.agentID, .inactive, reason: "missed-notification", banner: .missed, cause: record.notification,
                now: now, into: &effects)
        }
        route(conversationID, now: now, into: &effects)
    }

    static func decisionKind(of outcome: NotificationOutcome) -> RoutingDecision.Kind {
        switch outcome {
        case .accepted: .accepted
        case .autoAccepted: .autoAccepted
        case .rejected: .rejected
        case .timedOut: .timedOut
        case .withdrawn: .withdrawn
        }
    }
}
