import Foundation
import Switchboard

/// The embedded core router's logic: a pure state machine.
///
/// Each transition takes an event and the time it happens at and returns the ``RoutingEffect``s the runtime
/// must execute (publish an agent event, persist an assignment, schedule or cancel a timer, log a decision).
/// It does no I/O and never reads a clock, so tests drive every rule of CONTRACT.md §8 with a virtual clock.
/// ``EmbeddedRouter`` is the runtime that feeds it.
///
/// After every transition the router offers waiting items (higher priority first, then first in, first out)
/// to eligible agents, so an item is offered as soon as someone becomes eligible, whatever made them so.
public struct RoutingStateMachine: Sendable {
    public internal(set) var configuration: Configuration
    private let makeNotificationID: @Sendable (Int) -> String
    private var notificationCount = 0
    private var arrivalCount = 0

    var agents: AgentTable
    /// Agent ids in configuration order, so that every iteration (and so every outcome) is deterministic.
    var agentOrder: [String]
    var supervisorIDs: [String]
    var items = ItemTable()
    var notifications: [String: NotificationRecord] = [:]
    // Closed items and notifications are kept for `offers` and for `409` answers, the oldest dropped past this.
    private var closedItemOrder: [String] = []
    private var closedNotificationOrder: [String] = []
    static let historyLimit = 10_000

    /// - Parameters:
    ///   - configuration: agents, channels (capacity costs) and `notifications` settings.
    ///   - now: when the router starts; every agent is `offline` since then.
    ///   - makeNotificationID: makes the id of the n-th notification (n from 1); deterministic in tests.
    public init(
        configuration: Configuration, now: Date,
        makeNotificationID: @escaping @Sendable (Int) -> String = { _ in RecordID.make("ntf") }
    ) {
        self.configuration = configuration
        self.makeNotificationID = makeNotificationID
        let (table, order) = Self.agentTable(of: configuration) { AgentState(profile: $0, now: now) }
        agents = table
        agentOrder = order
        supervisorIDs = order.filter { table[$0]?.profile.role == .supervisor }
    }

    /// The agents of `configuration` in its order (the first of a repeated id), each state made by `state`.
    static func agentTable(
        of configuration: Configuration, state: (Configuration.Agent) -> AgentState
    ) -> (AgentTable, [String]) {
        var agents = AgentTable(
            maxSessions: configuration.notifications.maxSessions,
            maxPendingAlerts: configuration.notifications.maxPendingAlerts, capacity: configuration.agents.count)
        var order: [String] = []
        order.reserveCapacity(configuration.agents.count)
        for profile in configuration.agents where agents[profile.id] == nil {
            agents.add(state(profile)) { configuration.queue(id: $0).method }
            order.append(profile.id)
        }
        return (agents, order)
    }

    var settings: Configuration.NotificationSettings { configuration.notifications }

    // MARK: Work

    /// A conversation needs an agent: offer it to the best eligible agent of its queue, or let it wait.
    /// A conversation the router already routes is ignored, so that repeated requests offer it once.
    public mutating func notify(_ request: NotificationRequest, now: Date) -> [RoutingEffect] {
        var effects: [RoutingEffect] = []
        if let known = items[request.conversationID], !known.closed {
            effects.append(
                .log(
                    .init(
                        at: now, kind: .ignored, conversationID: request.conversationID,
                        reason: "already routed (\(known.owner.map { "held by \($0)" } ?? "offered or waiting"))")))
            return effects
        }
        admit(request, owner: nil)
        applySessionLimit(queue: request.queue, now: now, into: &effects)
        route(request.conversationID, now: now, into: &effects)
        return effects
    }

    /// New work arrives in `queue`: each signed-in agent of the queue whose presence follows load and who
    /// holds `maxSessions` sessions becomes `dnd` (system, `max-sessions`) with a `max-sessions` banner. The
    /// presence no longer follows load, so closing sessions does not clear it.
    mutating func applySessionLimit(queue: String, now: Date, into effects: inout [RoutingEffect]) {
        for id in agents.atSessionLimit.sorted(by: { agents.index(of: $0) ?? 0 < agents.index(of: $1) ?? 0 }) {
            guard let agent = agents[id], agent.profile.role == .agent, agent.signedIn, agent.followsLoad,
                agent.profile.queues.contains(queue), agent.sessions.count >= settings.maxSessions
            else { continue }
            setSystemPresence(
                id, .dnd, reason: "max-sessions", banner: .maxSessions, medium: .record, channelID: nil, now: now,
                into: &effects)
        }
    }

    /// The agent opened an item it holds (read the conversation or work item): an item assigned while its
    /// stream was disconnected is no longer rerouted.
    public mutating func opened(itemID: String, by agentID: String, now: Date) -> [RoutingEffect] {
        guard let item = items[itemID], item.owner == agentID, item.assignedUnseenBy == agentID else { return [] }
        items[itemID]?.assignedUnseenBy = nil
        return [.log(.init(at: now, kind: .ignored, conversationID: itemID, agentID: agentID, reason: "opened"))]
    }

    /// Re-registers the open conversations found in the store at startup: assigned ones take their agent's
    /// capacity, unassigned ones (or ones held by an agent no longer configured) are routed again.
    public mutating func restore(_ conversations: [Conversation], now: Date) -> [RoutingEffect] {
        var effects: [RoutingEffect] = []
        for conversation in conversations.sorted(by: { $0.createdAt < $1.createdAt })
        where conversation.status == .open && items[conversation.id] == nil {
            let request = NotificationRequest(
                scenario: conversation.medium == .voice ? .incomingVoice : .incomingSMS,
                conversationID: conversation.id, channelID: conversation.channelID, medium: conversation.medium,
                queue: conversation.queue,
                customer: NotificationCustomer(phone: conversation.customerPhone, match: conversation.match),
                contextJSON: conversation.contextJSON, createdAt: conversation.createdAt)
            if let holder = conversation.assignedAgent, agents[holder] != nil {
                let cost = admit(request, owner: holder)
                agents[holder]?.sessions[conversation.id] = cost
                effects.append(
                    .log(
                        .init(
                            at: now, kind: .assigned, conversationID: conversation.id, agentID: holder,
                            reason: "restored from the store")))
            } else {
                admit(request, owner: nil)
                route(conversation.id, now: now, into: &effects)
            }
        }
        return effects
    }

    /// An accept of a pending alert: the item becomes the agent's. A losing or late accept gets `409`.
    public mutating func accept(
        notificationID: String, by actor: RouterActor, now: Date
    ) -> RoutingResult<NotificationAnswer> {
        let record: NotificationRecord
        switch pendingAlert(notificationID, by: actor, answer: "accept") {
        case .success(let found): record = found
        case .failure(let error): return .failure(error)
        }
        var effects: [RoutingEffect] = []
        let conversationID = record.notification.conversationId
        let itemID = conversationID ?? record.notification.workItemId
        close(notificationID, outcome: .accepted, now: now, into: &effects)
        if let itemID {
            if items[itemID]?.owner == nil {
                assign(itemID, to: record.agentID, now: now, into: &effects)
            }
            // Accepting ("Open") is opening it: an item held but unseen is no longer rerouted.
            if items[itemID]?.owner == record.agentID { items[itemID]?.assignedUnseenBy = nil }
        }
        dispatchWaiting(now: now, into: &effects)
        return .init(
            result: .success(
                .init(
                    id: notificationID, outcome: .accepted, conversationId: conversationID,
                    workItemId: record.notification.workItemId)),
            effects: effects)
    }

    /// A reject of a pending alert: the item goes to the next eligible agent, or waits; with
    /// `rejectSetsDoNotDisturb` the agent becomes `dnd` (system, `rejected`) with a `rejected` banner.
    public mutating func reject(
        notificationID: String, by actor: RouterActor, now: Date
    ) -> RoutingResult<NotificationAnswer> {
        let record: NotificationRecord
        switch pendingAlert(notificationID, by: actor, answer: "reject") {
        case .success(let found): record = found
        case .failure(let error): return .failure(error)
        }
        guard record.notification.allowReject else {
            return .failure(
                .init(
                    status: 403, code: "reject-not-allowed",
                    message: "notification \(notificationID) cannot be rejected; accept it instead"))
        }
        var effects: [RoutingEffect] = []
        close(notificationID, outcome: .rejected, now: now, into: &effects)
        if settings.rejectSetsDoNotDisturb {
            setSystemPresence(
                record.agentID, .dnd, reason: "rejected", banner: .rejected, cause: record.notification, now: now,
                into: &effects)
        }
        route(record.notification.conversationId ?? record.notification.workItemId, now: now, into: &effects)
        return .init(result: .success(.init(id: notificationID, outcome: .rejected)), effects: effects)
    }

    /// A timer the runtime ran fired. Timers that no longer matter (answered alerts, agents who came back)
    /// change nothing, so the runtime need not win races against them.
    public mutating func timerFired(_ timer: RoutingTimerID, now: Date) -> [RoutingEffect] {
        var effects: [RoutingEffect] = []
        switch timer {
        case .alertTimeout(let notificationID):
            alertTimedOut(notificationID, now: now, into: &effects)
        case .disconnectGrace(let agentID):
            guard let agent = agents[agentID], agent.signedIn, agent.openStreams == 0 else { return [] }
            signOut(agentID, now: now, into: &effects)
        case .unseenReroute(let itemID):
            rerouteUnseen(itemID, now: now, into: &effects)
        }
        dispatchWaiting(now: now, into: &effects)
        return effects
    }

    /// The conversation ended: its capacity is released, pending offers are withdrawn, and its holder gets
    /// `conversation.closed`.
    public mutating func closeConversation(
        id conversationID: String, reason: ConversationCloseReason, now: Date
    ) -> [RoutingEffect] {
        guard var item = items[conversationID], !item.closed else { return [] }
        var effects: [RoutingEffect] = []
        if let pending = item.pendingNotificationID {
            close(pending, outcome: .withdrawn, now: now, into: &effects)
            item = items[conversationID] ?? item
        }
        if let holder = item.owner {
            agents[holder]?.sessions[conversationID] = nil
            if item.workItem == nil {
                effects.append(
                    .publish(.conversationClosed(conversationID: conversationID, reason: reason), to: holder))
            }
            effects.append(
                .log(
                    .init(
                        at: now, kind: .released, conversationID: conversationID, agentID: holder,
                        reason: "conversation closed (\(reason.rawValue))")))
            applyLoad(to: holder, now: now, into: &effects)
        }
        item.closed = true
        item.closedAt = now
        items[conversationID] = item
        remember(closedItem: conversationID)
        dispatchWaiting(now: now, into: &effects)
        return effects
    }

    // MARK: Messages

    /// A new inbound message: the conversation's holder gets a `message` event.
    public func messageArrived(_ message: Message, conversationID: String) -> [RoutingEffect] {
        guard let holder = holder(of: conversationID) else { return [] }
        return [.publish(.message(conversationID: conversationID, message), to: holder)]
    }

    /// An outbound message's status changed: the conversation's holder gets a `message.status` event.
    public func messageStatusChanged(_ message: Message, conversationID: String) -> [RoutingEffect] {
        guard let holder = holder(of: conversationID) else { return [] }
        let event = AgentEvent.messageStatus(
            conversationID: conversationID, messageID: message.id, status: message.status, error: message.error)
        return [.publish(event, to: holder)]
    }

    // MARK: Internals shared by the extensions

    /// Registers a new item; returns the capacity it uses.
    @discardableResult
    mutating func admit(_ request: NotificationRequest, owner: String?) -> Int {
        arrivalCount += 1
        let cost = configuration.capacityCost(of: request)
        var item = RoutedItem(request: request, cost: cost, arrival: arrivalCount, owner: owner)
        item.queuePriority = configuration.queue(id: request.queue).priority
        items[request.conversationID] = item
        return cost
    }

    mutating func nextNotificationID() -> String {
        notificationCount += 1
        return makeNotificationID(notificationCount)
    }

    mutating func remember(closedItem conversationID: String) {
        closedItemOrder.append(conversationID)
        if closedItemOrder.count > Self.historyLimit {
            let oldest = closedItemOrder.removeFirst()
            // The id may have been routed again since it closed; only forget it while it stays closed.
            if items[oldest]?.closed == true { items[oldest] = nil }
        }
    }

    mutating func remember(closedNotification id: String) {
        closedNotificationOrder.append(id)
        if closedNotificationOrder.count > Self.historyLimit {
            notifications[closedNotificationOrder.removeFirst()] = nil
        }
    }

    func holder(of conversationID: String) -> String? {
        guard let item = items[conversationID], !item.closed else { return nil }
        return item.owner
    }
}

extension Configuration {
    /// What an item uses of its agent's capacity: its channel's cost for its medium (CONTRACT.md §8).
    func capacityCost(of request: NotificationRequest) -> Int {
        let cost = channel(id: request.channelID)?.capacityCost ?? CapacityCost()
        return cost.cost(of: request.medium, record: notifications.recordCapacityCost)
    }
}
