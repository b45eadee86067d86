import Foundation
import Switchboard

// Offers: who is eligible, who is chosen, and how an offer ends (CONTRACT.md §8 "Eligible", "Offers").
extension RoutingStateMachine {
    /// Offers waiting items, most urgent first, each to the best agent eligible for it.
    ///
    /// Scales to many agents and items: only queues with an agent free for some work (signed in, presence,
    /// sessions, pending alerts) are considered, the next item comes from the front of the per-queue serving
    /// order, and its agent from the front of the queue's assignment order (``bestAgent(for:)``); items none
    /// of the free agents can take are passed over for this round.
    mutating func dispatchWaiting(now: Date, into effects: inout [RoutingEffect]) {
        var queues = candidateQueues()
        var considered = Set<String>()
        while !queues.isEmpty, let key = items.firstWaiting(in: queues, skipping: considered) {
            considered.insert(key.id)
            guard let item = items[key.id], item.isWaiting, let (agentID, why) = bestAgent(for: item) else { continue }
            offer(item.conversationID, to: agentID, why: why, now: now, into: &effects)
            // Only the agent offered the item changed: the queues change only if it is no longer free.
            if agents.free.key(of: agentID) == nil { queues = candidateQueues() }
        }
    }

    /// The numbers of the queues with a free agent.
    private func candidateQueues() -> Set<Int> {
        Set(agents.free.queuesWithFree.compactMap(items.queueNumber))
    }

    /// Offers waiting items, then logs why `conversationID` still waits if it does.
    mutating func route(_ conversationID: String?, now: Date, into effects: inout [RoutingEffect]) {
        dispatchWaiting(now: now, into: &effects)
        guard let conversationID, let item = items[conversationID], item.isWaiting else { return }
        effects.append(
            .log(.init(at: now, kind: .waiting, conversationID: conversationID, reason: waitingReason(for: item))))
    }

    /// Why `agent` cannot be offered `item` now, or `nil` when it can (CONTRACT.md §8 "Eligible").
    func ineligibility(of agent: AgentState, for item: RoutedItem) -> String? {
        if agent.profile.role != .agent { return "is a supervisor" }
        if !agent.profile.queues.contains(item.request.queue) { return "does not serve queue \(item.request.queue)" }
        if item.excludedAgent == agent.id { return "held it before" }
        if let reason = unavailability(of: agent, cost: item.cost) { return reason }
        if agent.pendingAlerts.count >= settings.maxPendingAlerts {
            return "has \(agent.pendingAlerts.count) pending alert\(agent.pendingAlerts.count == 1 ? "" : "s")"
        }
        let offered = item.offerCount(to: agent.id)
        if offered >= settings.maxOffersPerAgent { return "offered this item \(offered) times" }
        return nil
    }

    /// Sends `agentID` the notification for the item: an alert offering a conversation, a `case-assignment`
    /// alert or a `work-item` toast assigning a work item, or a toast telling a transfer's target it is theirs.
    /// With `forced`, the item is assigned at once whatever the notification.
    mutating func offer(
        _ conversationID: String, to agentID: String, why: String, forced: Bool = false, now: Date,
        into effects: inout [RoutingEffect]
    ) {
        guard var item = items[conversationID] else { return }
        let id = nextNotificationID()
        let request = item.request
        let notification = NotificationContent.notification(
            id: id, for: request, title: item.workItem?.title,
            from: [.transfer, .escalation].contains(request.scenario) ? item.excludedAgent : nil,
            configuration: configuration, now: now)
        notifications[id] = NotificationRecord(notification: notification, agentID: agentID)
        item.pendingNotificationID = id
        item.offers.append(OfferRecord(notificationId: id, agentId: agentID, at: now))
        items[conversationID] = item
        agents[agentID]?.lastOfferedAt = now
        if notification.kind == .alert { agents[agentID]?.pendingAlerts.append(id) }
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
        if notification.autoAssign || forced {
            assign(conversationID, to: agentID, now: now, into: &effects)
            // A forced assignment names its agent: it stays theirs even if they never see it.
            if forced { items[conversationID]?.assignedUnseenBy = nil }
        }
        if let expiresAt = notification.expiresAt {
            effects.append(.scheduleTimer(.alertTimeout(notificationID: id), at: expiresAt))
        }
    }

    /// The item becomes the agent's: it uses its capacity and, for a conversation, is persisted. An agent
    /// with no open stream cannot see the notification: the item is marked unseen until the agent opens it.
    mutating func assign(_ conversationID: String, to agentID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard var item = items[conversationID], !item.closed else { return }
        item.owner = agentID
        item.assignedAt = now
        item.assignedUnseenBy = (agents[agentID]?.openStreams ?? 0) == 0 ? agentID : nil
        items[conversationID] = item
        agents[agentID]?.sessions[conversationID] = item.cost
        if item.workItem == nil { effects.append(.assign(conversationID: conversationID, agentID: agentID)) }
        let unseen = item.assignedUnseenBy == nil ? "" : "; \(agentID) has no open stream"
        effects.append(
            .log(
                .init(
                    at: now, kind: .assigned, conversationID: conversationID, agentID: agentID,
                    reason: "uses \(item.cost) capacity\(unseen)")))
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
        let conversationID = record.notification.conversationId ?? record.notification.workItemId
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

    /// A notification ran out. A toast closes `timed-out` and changes no presence; an alert of an item its
    /// agent already holds (auto-assign, case assignment) closes `auto-accepted` and is never missed; any other
    /// alert goes to the next agent, and with `missedNotificationSetsInactive` the agent becomes `inactive`
    /// with a `missed` banner. An item its agent holds but never saw is rerouted `unseenRerouteSeconds` later.
    mutating func alertTimedOut(_ notificationID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard let record = notifications[notificationID], record.isPending, record.notification.kind != .banner
        else { return }
        let itemID = record.notification.conversationId ?? record.notification.workItemId
        let heldByAgent = itemID.flatMap { items[$0]?.owner } == record.agentID
        if record.notification.kind == .toast || heldByAgent {
            let outcome: NotificationOutcome = record.notification.kind == .toast ? .timedOut : .autoAccepted
            close(notificationID, outcome: outcome, byTimer: true, now: now, into: &effects)
            if let itemID, heldByAgent, items[itemID]?.assignedUnseenBy == record.agentID {
                let at = now.addingTimeInterval(settings.unseenRerouteSeconds)
                effects.append(.scheduleTimer(.unseenReroute(itemID: itemID), at: at))
            }
            return
        }
        close(notificationID, outcome: .timedOut, byTimer: true, now: now, into: &effects)
        if settings.missedNotificationSetsInactive {
            setSystemPresence(
                record.agentID, .inactive, reason: "missed-notification", banner: .missed, cause: record.notification,
                now: now, into: &effects)
        }
        route(itemID, now: now, into: &effects)
    }

    /// The reroute timer of an unseen item fired: unless its agent opened it, the agent loses it and it is
    /// routed again.
    mutating func rerouteUnseen(_ itemID: String, now: Date, into effects: inout [RoutingEffect]) {
        guard let item = items[itemID], !item.closed, let holder = item.owner, item.assignedUnseenBy == holder
        else { return }
        takeBack(
            itemID, from: holder,
            reason:
                "assigned while \(holder) had no open stream and not opened \(Int(settings.unseenRerouteSeconds)) s "
                + "after its notification timed out", now: now, into: &effects)
    }

    /// The provider could not put the held call of an assigned conversation through to its agent: the agent loses
    /// it and it is routed again (decision reason `connect-failed`).
    public mutating func callConnectFailed(conversationID: String, now: Date) -> [RoutingEffect] {
        guard let item = items[conversationID], !item.closed, let holder = item.owner else { return [] }
        var effects: [RoutingEffect] = []
        takeBack(conversationID, from: holder, reason: "connect-failed", now: now, into: &effects)
        dispatchWaiting(now: now, into: &effects)
        return effects
    }

    /// The holder loses the item (`conversation.closed`, `transferred`; its capacity back) and it is routed again
    /// to anyone else.
    private mutating func takeBack(
        _ itemID: String, from holder: String, reason: String, now: Date, into effects: inout [RoutingEffect]
    ) {
        guard var item = items[itemID] else { return }
        item.owner = nil
        item.assignedAt = nil
        item.assignedUnseenBy = nil
        item.excludedAgent = holder
        items[itemID] = item
        agents[holder]?.sessions[itemID] = nil
        if item.workItem == nil {
            effects.append(.unassign(conversationID: itemID))
            effects.append(.publish(.conversationClosed(conversationID: itemID, reason: .transferred), to: holder))
        }
        effects.append(.log(.init(at: now, kind: .rerouted, conversationID: itemID, agentID: holder, reason: reason)))
        applyLoad(to: holder, now: now, into: &effects)
        route(itemID, now: now, into: &effects)
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
