import Foundation
import Switchboard

// A configuration reload (CONTRACT.md §12): agents, queues and `notifications` change under a running router.
extension RoutingStateMachine {
    /// Puts a reloaded configuration in force without losing what is routed.
    ///
    /// An added agent starts `offline` like every agent at start, until its stream opens. A kept agent keeps
    /// its streams, presence, sessions and pending offers under its new profile (capacity, queues, role,
    /// token); its presence follows a changed capacity. A removed agent's pending notifications are withdrawn
    /// and the items they offered are offered to others; the items it held are taken back and go back to their
    /// queue. Templates and settings apply to the next notification. Every step is a decision with its reason.
    public mutating func reconfigure(_ new: Configuration, now: Date) -> [RoutingEffect] {
        var effects: [RoutingEffect] = []
        let kept = Set(new.agents.map(\.id))
        let removed = agentOrder.filter { !kept.contains($0) }
        let removedSet = Set(removed)
        var requeued: [String] = []
        // Alerts, toasts and banners, the oldest first: each removed agent's, in configuration order.
        let pending = notifications.values.filter { $0.isPending && removedSet.contains($0.agentID) }
            .sorted { a, b in
                (agents.index(of: a.agentID) ?? 0, a.notification.createdAt, a.id)
                    < (agents.index(of: b.agentID) ?? 0, b.notification.createdAt, b.id)
            }
        for record in pending {
            close(record.id, outcome: .withdrawn, now: now, into: &effects)
            let itemID = record.notification.conversationId ?? record.notification.workItemId
            if let itemID, items[itemID]?.isWaiting == true { requeued.append(itemID) }
        }
        for agentID in removed {
            guard let agent = agents[agentID] else { continue }
            for itemID in agent.sessions.keys.sorted(by: { (items[$0]?.arrival ?? 0) < (items[$1]?.arrival ?? 0) }) {
                release(itemID, from: agentID, now: now, into: &effects)
                requeued.append(itemID)
            }
            effects.append(
                .log(.init(at: now, kind: .signedOut, agentID: agentID, reason: "removed from the configuration")))
        }
        let previous = agents
        let (table, order) = Self.agentTable(of: new) { profile in
            guard var state = previous[profile.id] else { return AgentState(profile: profile, now: now) }
            state.profile = profile
            return state
        }
        agents = table
        agentOrder = order
        supervisorIDs = order.filter { table[$0]?.profile.role == .supervisor }
        let old = configuration
        configuration = new
        let capacities = Dictionary(old.agents.map { ($0.id, $0.capacity) }, uniquingKeysWith: { first, _ in first })
        for profile in new.agents where capacities[profile.id].map({ $0 != profile.capacity }) == true {
            applyLoad(to: profile.id, now: now, into: &effects)
        }
        if old.queues != new.queues {
            // A queue's changed priority orders its waiting items from now on.
            for item in items.values where !item.closed {
                let priority = new.queue(id: item.request.queue).priority
                if item.queuePriority != priority { items[item.conversationID]?.queuePriority = priority }
            }
        }
        dispatchWaiting(now: now, into: &effects)
        for itemID in requeued {
            guard let item = items[itemID], item.isWaiting else { continue }
            effects.append(
                .log(.init(at: now, kind: .waiting, conversationID: itemID, reason: waitingReason(for: item))))
        }
        return effects
    }

    /// The item's holder was removed from the configuration: it loses the item (its capacity with it) and the
    /// item waits in its queue again.
    private mutating func release(_ itemID: String, from holder: String, now: Date, into effects: inout [RoutingEffect])
    {
        guard var item = items[itemID], !item.closed, item.owner == holder else { return }
        item.owner = nil
        item.assignedAt = nil
        item.assignedUnseenBy = nil
        items[itemID] = item
        agents[holder]?.sessions[itemID] = nil
        if item.workItem == nil { effects.append(.unassign(conversationID: itemID)) }
        effects.append(
            .log(
                .init(
                    at: now, kind: .rerouted, conversationID: itemID, agentID: holder,
                    reason: "\(holder) was removed from the configuration; back to queue \(item.request.queue)")))
    }
}
