import Foundation
import Switchboard

/// Where a transfer sends a conversation (`POST /v1/conversations/{id}/transfer`).
public enum TransferTarget: Sendable, Hashable {
    case agent(String)
    case queue(String)
}

/// The answer to a transfer: `202 {conversationId, target}`.
public struct TransferAnswer: Sendable, Hashable {
    public var conversationID: String
    public var target: TransferTarget
    /// The agent it went to at once, `nil` while it waits in the target queue.
    public var assignedAgent: String?
}

// Transfer and escalation (CONTRACT.md §8 "Transfer").
extension RoutingStateMachine {
    /// Moves a held conversation to an agent (assigned at once, forced, with a `transfer` or `escalation`
    /// toast) or to a queue (likewise to its next eligible agent other than the former holder, or it waits
    /// there). The former holder gets `conversation.closed` (`transferred`). Only its holder, a supervisor
    /// or the admin may transfer it; a closed conversation gets `409 closed`, one nobody holds (offered, waiting)
    /// `409 not-assigned`, and a target agent who could not take it now (signed out, away, do not disturb,
    /// inactive, at its session limit or without capacity for it) `409 not-eligible`, the conversation unchanged.
    public mutating func transfer(
        conversationID: String, to target: TransferTarget, escalate: Bool, by actor: RouterActor, now: Date
    ) -> RoutingResult<TransferAnswer> {
        guard var item = items[conversationID] else {
            return .failure(.notFound("conversation \(conversationID) is not routed"))
        }
        guard !item.closed else {
            return .failure(.conflict("closed", "conversation \(conversationID) is closed; it cannot be transferred"))
        }
        guard let holder = item.owner else {
            return .failure(
                .conflict(
                    "not-assigned",
                    "conversation \(conversationID) is not held by anyone; only a held conversation can be transferred")
            )
        }
        guard actor.mayActFor(holder) else {
            return .failure(.forbidden("conversation \(conversationID) is held by another agent"))
        }
        if case .agent(let targetID) = target {
            guard let agent = agents[targetID], agent.profile.role == .agent else {
                return .failure(.invalidRequest("agent \(targetID) is not a configured agent", field: "agentId"))
            }
            guard targetID != holder else {
                return .failure(.conflict("same-agent", "conversation \(conversationID) is already held by \(holder)"))
            }
            if let reason = unavailability(of: agent, cost: item.cost) {
                return .failure(
                    .conflict(
                        "not-eligible",
                        "agent \(targetID) cannot take conversation \(conversationID) now: \(reason); it stays with \(holder)"
                    ))
            }
        }
        var effects: [RoutingEffect] = []
        if let pending = item.pendingNotificationID {
            close(pending, outcome: .withdrawn, now: now, into: &effects)
            item = items[conversationID] ?? item
        }
        // The former holder lets go.
        agents[holder]?.sessions[conversationID] = nil
        item.owner = nil
        item.assignedUnseenBy = nil
        item.excludedAgent = holder
        item.request.scenario = escalate ? .escalation : .transfer
        if case .queue(let queue) = target {
            item.request.queue = queue
            item.queuePriority = configuration.queue(id: queue).priority
        }
        items[conversationID] = item
        effects.append(.unassign(conversationID: conversationID))
        effects.append(.publish(.conversationClosed(conversationID: conversationID, reason: .transferred), to: holder))
        let destination =
            switch target {
            case .agent(let id): "agent \(id)"
            case .queue(let queue): "queue \(queue)"
            }
        effects.append(
            .log(
                .init(
                    at: now, kind: .transferred, conversationID: conversationID, agentID: holder,
                    reason: "\(escalate ? "escalated" : "transferred") to \(destination) by \(Self.describe(actor))")))
        applyLoad(to: holder, now: now, into: &effects)
        switch target {
        case .agent(let targetID):
            offer(conversationID, to: targetID, why: "transfer target", forced: true, now: now, into: &effects)
            dispatchWaiting(now: now, into: &effects)
        case .queue(let queue):
            applySessionLimit(queue: queue, now: now, into: &effects)
            route(conversationID, now: now, into: &effects)
        }
        let answer = TransferAnswer(
            conversationID: conversationID, target: target, assignedAgent: self.holder(of: conversationID))
        return .init(result: .success(answer), effects: effects)
    }

    /// Why `agent` cannot take work of `cost` now (signed out, a presence that takes no work, its session limit,
    /// its capacity), or `nil` when it can. A transfer's target is checked for this alone; an offer
    /// (``ineligibility(of:for:)``) also checks the queue, the pending-alert limit and the offer count.
    func unavailability(of agent: AgentState, cost: Int) -> String? {
        if !agent.signedIn { return "offline (signed out)" }
        if !agent.presenceAcceptsWork { return Self.describe(agent.presence) }
        if agent.sessions.count >= settings.maxSessions { return "at \(agent.sessions.count) sessions" }
        if agent.freeCapacity < cost {
            return "at capacity (\(agent.usedCapacity) of \(agent.profile.capacity) used, needs \(cost))"
        }
        return nil
    }

    static func describe(_ actor: RouterActor) -> String {
        switch actor {
        case .agent(let id): id
        case .supervisor(let id): "supervisor \(id)"
        case .admin: "the admin"
        }
    }
}
