import Foundation
import Switchboard

/// A work item to route (`POST /v1/work-items`, CONTRACT.md §5).
public struct WorkItemRequest: Sendable, Hashable {
    public var id: String
    /// `case` notifies `case-assignment` (an alert that cannot be rejected); any other kind `work-item` (a toast).
    public var kind: String
    public var title: String
    public var queue: String
    /// Assign to this agent at once (forced: presence, queue, capacity and session limit unchecked).
    public var agentID: String?
    public var priority: Int

    public init(
        id: String, kind: String, title: String, queue: String = "default", agentID: String? = nil,
        priority: Int = 0
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.queue = queue
        self.agentID = agentID
        self.priority = priority
    }
}

/// A work item's state: `waiting` | `offered` | `assigned` | `closed`.
public enum WorkItemStatus: String, Sendable, Codable, Hashable {
    case waiting, offered, assigned, closed
}

/// A work item as `GET /v1/work-items/{id}` shows it, encoded with the contract's names.
public struct WorkItemSnapshot: Sendable, Codable, Hashable {
    public var id: String
    public var kind: String
    public var title: String
    public var queue: String
    public var priority: Int
    public var assignedAgent: String?
    public var status: WorkItemStatus
    public var createdAt: Date
    public var closedAt: Date?
    public var offers: [OfferRecord]
    public var waitingReason: String?
}

// Work items: records routed like conversations. The runtime saves each one as it changes (a work item store,
// CONTRACT.md §12) and ``restore(workItems:now:)`` takes the open ones back after a restart or a leader change.
extension RoutingStateMachine {
    /// Routes a work item, or assigns it at once to `request.agentID`. A second submit of the same id gets `409`.
    public mutating func submitWorkItem(_ request: WorkItemRequest, now: Date) -> RoutingResult<WorkItemSnapshot> {
        if let known = items[request.id], !known.closed {
            return .failure(.conflict("duplicate", "work item \(request.id) already exists"))
        }
        if let agentID = request.agentID {
            guard let agent = agents[agentID] else {
                return .failure(.invalidRequest("agent \(agentID) is not configured", field: "agentId"))
            }
            guard agent.profile.role == .agent else {
                return .failure(.invalidRequest("\(agentID) is a supervisor, not an agent", field: "agentId"))
            }
        }
        admitWorkItem(
            id: request.id, kind: request.kind, title: request.title, queue: request.queue,
            priority: request.priority, createdAt: now, owner: nil)
        var effects: [RoutingEffect] = []
        if let agentID = request.agentID {
            offer(
                request.id, to: agentID, why: "forced assignment to \(agentID)", forced: true, now: now, into: &effects)
            dispatchWaiting(now: now, into: &effects)
        } else {
            applySessionLimit(queue: request.queue, now: now, into: &effects)
            route(request.id, now: now, into: &effects)
        }
        guard let snapshot = workItem(id: request.id) else { return .failure(.notFound("work item \(request.id)")) }
        return .init(result: .success(snapshot), effects: effects)
    }

    /// Registers a work item: routed like a conversation, `case` as a case assignment. Returns its capacity cost.
    @discardableResult
    mutating func admitWorkItem(
        id: String, kind: String, title: String, queue: String, priority: Int, createdAt: Date, owner: String?
    ) -> Int {
        let routed = NotificationRequest(
            scenario: kind == "case" ? .caseAssignment : .workItem, conversationID: id, channelID: "",
            medium: .record, queue: queue,
            customer: NotificationCustomer(phone: "", match: ContactMatch(count: 0, contact: nil, candidateIDs: [])),
            priority: priority, createdAt: createdAt)
        let cost = admit(routed, owner: owner)
        items[id]?.workItem = WorkItemInfo(kind: kind, title: title)
        return cost
    }

    /// Takes back the open work items of the store: held ones by their agent (its capacity used again), the
    /// others (or those of an agent no longer configured) routed again.
    public mutating func restore(workItems: [WorkItemRecord], now: Date) -> [RoutingEffect] {
        var effects: [RoutingEffect] = []
        for record in workItems.sorted(by: { $0.createdAt < $1.createdAt })
        where record.closedAt == nil && items[record.id] == nil {
            let holder = record.assignedAgent.flatMap { agents[$0] == nil ? nil : $0 }
            let cost = admitWorkItem(
                id: record.id, kind: record.kind, title: record.title, queue: record.queue, priority: record.priority,
                createdAt: record.createdAt, owner: holder)
            if let holder {
                agents[holder]?.sessions[record.id] = cost
                effects.append(
                    .log(
                        .init(
                            at: now, kind: .assigned, conversationID: record.id, agentID: holder,
                            reason: "restored from the store")))
            } else {
                route(record.id, now: now, into: &effects)
            }
        }
        return effects
    }

    /// Closes a work item (its agent, a supervisor or the admin): its session is released.
    public mutating func closeWorkItem(
        id: String, by actor: RouterActor, now: Date
    ) -> RoutingResult<WorkItemSnapshot> {
        guard let item = items[id], item.workItem != nil else {
            return .failure(.notFound("work item \(id) does not exist"))
        }
        if case .agent(let agentID) = actor, item.owner != agentID {
            return .failure(.forbidden("work item \(id) is not assigned to \(agentID)"))
        }
        guard !item.closed else { return .failure(.conflict("closed", "work item \(id) is already closed")) }
        let effects = closeConversation(id: id, reason: .closedByAgent, now: now)
        guard let snapshot = workItem(id: id) else { return .failure(.notFound("work item \(id) does not exist")) }
        return .init(result: .success(snapshot), effects: effects)
    }

    /// The work item, or `nil` when the router does not know (or no longer remembers) it.
    public func workItem(id: String) -> WorkItemSnapshot? {
        guard let item = items[id], let info = item.workItem else { return nil }
        let status: WorkItemStatus =
            item.closed
            ? .closed : item.owner != nil ? .assigned : item.pendingNotificationID != nil ? .offered : .waiting
        return WorkItemSnapshot(
            id: id, kind: info.kind, title: info.title, queue: item.request.queue, priority: item.request.priority,
            assignedAgent: item.owner, status: status, createdAt: item.request.createdAt, closedAt: item.closedAt,
            offers: item.offers, waitingReason: item.isWaiting ? waitingReason(for: item) : nil)
    }

    /// Work items, oldest first, optionally only those with `status`.
    public func workItems(status: WorkItemStatus? = nil) -> [WorkItemSnapshot] {
        items.values.filter { $0.workItem != nil }.sorted { $0.arrival < $1.arrival }
            .compactMap { workItem(id: $0.conversationID) }
            .filter { status == nil || $0.status == status }
    }
}

extension WorkItemRecord {
    /// The work item as the store keeps it.
    public init(_ item: WorkItemSnapshot) {
        self.init(
            id: item.id, kind: item.kind, title: item.title, queue: item.queue, priority: item.priority,
            assignedAgent: item.assignedAgent, createdAt: item.createdAt, closedAt: item.closedAt)
    }
}
