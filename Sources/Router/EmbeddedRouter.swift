import Foundation
import Logging
import Switchboard

/// The embedded core router: the runtime around ``RoutingStateMachine``.
///
/// It feeds the machine events stamped with the injected wall clock, runs the timers it asks for (one task
/// sleeping on the same clock until the earliest, ``TimerQueue``), and executes its I/O effects — publishing agent events to the sink and
/// persisting assignments to the store — in the order the machine produced them, across concurrent calls.
/// A call returns once its own effects are executed, so an accepted conversation is stored as assigned
/// before `accept` answers. Call ``shutdown()`` before dropping it.
public actor EmbeddedRouter: CoreRouter {
    private var machine: RoutingStateMachine
    private let wallClock: any WallClock
    private var timers = TimerQueue()
    /// The task sleeping until the earliest timer's deadline.
    private var wakeUp: WakeUp?
    private var wakeUps = 0
    /// The latest decisions: at least the last ``decisionLogLimit``, fewer than twice as many.
    private var decisionLog: [RoutingDecision] = []
    private let output = EffectQueue()
    private let outputTask: Task<Void, Never>
    private var isShutDown = false
    /// Stores the decisions (`GET /v1/decisions`), when the router has a decision store.
    private let decisionWriter: DecisionWriter?
    private let decisionTask: Task<Void, Never>?
    /// Whether work items are saved as they change (``RoutingEffect/saveWorkItem(_:)``).
    private let persistsWorkItems: Bool

    /// How many decisions the log keeps, oldest dropped first.
    public static let decisionLogLimit = 10_000

    /// - Parameters:
    ///   - configuration: agents, channels and `notifications` settings.
    ///   - store: where assignments are persisted.
    ///   - events: where agent events are published.
    ///   - clock: the wall clock stamped on events, notifications and deadlines, which timers sleep on.
    ///   - makeNotificationID: makes the id of the n-th notification.
    ///   - durableState: where the decision log and the work items are kept across restarts and leader changes
    ///     (CONTRACT.md §12); `nil`: memory only.
    public init(
        configuration: Configuration, store: any AssignmentStore, events: any AgentEventSink, clock: any WallClock,
        makeNotificationID: @escaping @Sendable (Int) -> String = { _ in RecordID.make("ntf") },
        durableState: (any DecisionStore & WorkItemStore)? = nil, logger: Logger = Logger(label: "switchboard.router")
    ) {
        let writer = durableState.map { DecisionWriter(store: $0, logger: logger) }
        persistsWorkItems = durableState != nil
        decisionWriter = writer
        decisionTask = writer.map { writer in Task { await writer.run() } }
        machine = RoutingStateMachine(
            configuration: configuration, now: clock.now(), makeNotificationID: makeNotificationID)
        wallClock = clock
        // One consumer executes the batches in order, those that waited together at once: events reach an agent
        // in the order they were decided.
        outputTask = Task { [output] in
            while let batches = await output.next() {
                await EffectBatch.execute(batches, store: store, workItems: durableState, events: events)
            }
        }
    }

    deinit {
        output.finish()
        decisionTask?.cancel()
        wakeUp?.task.cancel()
    }

    /// Stops the timers and waits until every effect decided so far is executed. Later calls still answer
    /// but no longer publish, persist or run timers.
    public func shutdown() async {
        isShutDown = true
        wakeUp?.task.cancel()
        wakeUp = nil
        timers.removeAll()
        output.finish()
        await outputTask.value
        decisionTask?.cancel()
        await decisionTask?.value
    }

    // MARK: CoreRouter

    public func notify(_ request: NotificationRequest) async {
        await run { machine, now in machine.notify(request, now: now) }
    }

    public func messageArrived(_ message: Message, in conversation: Conversation) async {
        await run { machine, _ in machine.messageArrived(message, conversationID: conversation.id) }
    }

    public func messageStatusChanged(_ message: Message, in conversation: Conversation) async {
        await run { machine, _ in machine.messageStatusChanged(message, conversationID: conversation.id) }
    }

    /// A reload (CONTRACT.md §12): agents, queues, `notifications` and templates change under the running router
    /// (see ``RoutingStateMachine/reconfigure(_:now:)``).
    public func reconfigure(_ configuration: Configuration) async {
        await run { machine, now in machine.reconfigure(configuration, now: now) }
    }

    // MARK: Agents

    /// One of the agent's event streams opened (signs it in). Balance each call with ``agentDisconnected(_:)``.
    public func agentConnected(_ agentID: String) async {
        await run { machine, now in machine.agentConnected(agentID, now: now) }
    }

    /// One of the agent's event streams closed; after the last, it signs out `disconnectGraceSeconds` later.
    public func agentDisconnected(_ agentID: String) async {
        await run { machine, now in machine.agentDisconnected(agentID, now: now) }
    }

    /// `PUT /v1/agents/{id}/presence`. Throws `404` for an unknown agent, `403` when `actor` may not act for
    /// it, `400` for `inactive`.
    public func setPresence(
        agentID: String, status: PresenceStatus, by actor: RouterActor
    ) async throws(SwitchboardError) -> AgentSnapshot {
        try await answer { machine, now in machine.setPresence(agentID: agentID, status: status, by: actor, now: now) }
    }

    /// `POST /v1/agents/{id}/presence/reset`. Throws `404` for an unknown agent, `403` for an agent actor.
    public func resetPresence(agentID: String, by actor: RouterActor) async throws(SwitchboardError) -> AgentSnapshot {
        try await answer { machine, now in machine.resetPresence(agentID: agentID, by: actor, now: now) }
    }

    public func agents() -> [AgentSnapshot] { machine.snapshots() }

    public func agent(id: String) -> AgentSnapshot? { machine.snapshot(agentID: id) }

    /// The agent's presence with the time it was set (the SSE stream's first `presence` event).
    public func presence(agentID: String) -> Presence? { machine.presence(agentID: agentID) }

    /// Notifications still pending for the agent, to re-send when its stream reconnects.
    public func pendingNotifications(agentID: String) -> [AgentNotification] {
        machine.pendingNotifications(agentID: agentID)
    }

    // MARK: Notifications

    /// `POST /v1/notifications/{id}/accept`. Throws `404` unknown, `403` another agent's, `409` `not-pending`.
    public func accept(
        notificationID: String, by actor: RouterActor
    ) async throws(SwitchboardError)
        -> NotificationAnswer
    {
        try await answer { machine, now in machine.accept(notificationID: notificationID, by: actor, now: now) }
    }

    /// `POST /v1/notifications/{id}/reject`. Throws like ``accept(notificationID:by:)``, and `403`
    /// `reject-not-allowed` when the notification does not allow reject.
    public func reject(
        notificationID: String, by actor: RouterActor
    ) async throws(SwitchboardError)
        -> NotificationAnswer
    {
        try await answer { machine, now in machine.reject(notificationID: notificationID, by: actor, now: now) }
    }

    // MARK: Conversations

    /// The conversation was closed (the caller closes it in the store): capacity released, pending offers
    /// withdrawn, `conversation.closed` to its holder.
    public func closeConversation(id: String, reason: ConversationCloseReason) async {
        await run { machine, now in machine.closeConversation(id: id, reason: reason, now: now) }
    }

    /// Re-registers the open work items found in the store (at start, at a leader change): assigned ones take their
    /// agent's capacity again, the others are routed again.
    public func restore(workItems: [WorkItemRecord]) async {
        await run { machine, now in machine.restore(workItems: workItems, now: now) }
    }

    /// The provider could not put the conversation's call through to its holder: routed again (see
    /// ``RoutingStateMachine/callConnectFailed(conversationID:now:)``).
    public func callConnectFailed(conversationID: String) async {
        await run { machine, now in machine.callConnectFailed(conversationID: conversationID, now: now) }
    }

    /// Re-registers the store's open conversations at startup (see ``RoutingStateMachine/restore(_:now:)``).
    public func restore(conversations: [Conversation]) async {
        await run { machine, now in machine.restore(conversations, now: now) }
    }

    /// Gives the agent back the presence it had under the previous cluster leader once it signs in again
    /// (see ``RoutingStateMachine/restorePresence(_:of:now:)``).
    public func restorePresence(_ presence: Presence, agentID: String) async {
        await run { machine, now in machine.restorePresence(presence, of: agentID, now: now) }
    }

    public func offers(conversationID: String) -> [OfferRecord] { machine.offers(conversationID: conversationID) }

    /// `POST /v1/conversations/{id}/transfer`. Throws `404` unknown, `403` another agent's, `409` when nobody
    /// holds it (a losing transfer), `400` for an unknown target agent.
    public func transfer(
        conversationID: String, to target: TransferTarget, escalate: Bool, by actor: RouterActor
    ) async throws(SwitchboardError) -> TransferAnswer {
        try await answer { machine, now in
            machine.transfer(conversationID: conversationID, to: target, escalate: escalate, by: actor, now: now)
        }
    }

    /// The agent opened an item it holds, so an item assigned while it was disconnected is not rerouted.
    public func opened(itemID: String, by agentID: String) async {
        await run { machine, now in machine.opened(itemID: itemID, by: agentID, now: now) }
    }

    // MARK: Work items (saved as they change when the router has a durable state store)

    /// `POST /v1/work-items`. Throws `409` for an id in use, `400` for an unknown `agentId`.
    public func submitWorkItem(_ request: WorkItemRequest) async throws(SwitchboardError) -> WorkItemSnapshot {
        try await answer { machine, now in machine.submitWorkItem(request, now: now) }
    }

    /// `POST /v1/work-items/{id}/close`. Throws `404` unknown, `403` another agent's, `409` already closed.
    public func closeWorkItem(id: String, by actor: RouterActor) async throws(SwitchboardError) -> WorkItemSnapshot {
        try await answer { machine, now in machine.closeWorkItem(id: id, by: actor, now: now) }
    }

    public func workItem(id: String) -> WorkItemSnapshot? { machine.workItem(id: id) }

    public func workItems(status: WorkItemStatus? = nil) -> [WorkItemSnapshot] { machine.workItems(status: status) }

    public func waitingReason(conversationID: String) -> String? {
        machine.waitingReason(conversationID: conversationID)
    }

    public func pendingNotificationAgent(conversationID: String) -> String? {
        machine.pendingNotificationAgent(conversationID: conversationID)
    }

    /// The stored decision log (`GET /v1/decisions`), newest first, everything decided so far included; `nil`
    /// when the router keeps its decisions in memory only.
    public func storedDecisions(matching filter: DecisionFilter) async throws -> [RoutingDecision]? {
        guard let writer = decisionWriter else { return nil }
        await writer.flush()
        return try await writer.store.decisions(matching: filter)
    }

    /// Routing decisions, oldest first; only those about the conversation when one is given.
    public func decisions(conversationID: String? = nil) -> [RoutingDecision] {
        let kept = decisionLog.suffix(Self.decisionLogLimit)
        guard let conversationID else { return Array(kept) }
        return kept.filter { $0.conversationID == conversationID }
    }

    // MARK: Running transitions

    private func run(_ transition: (inout RoutingStateMachine, Date) -> [RoutingEffect]) async {
        let effects = transition(&machine, wallClock.now())
        await execute(effects)
    }

    private func answer<Value: Sendable>(
        _ transition: (inout RoutingStateMachine, Date) -> RoutingResult<Value>
    ) async throws(SwitchboardError) -> Value {
        let outcome = transition(&machine, wallClock.now())
        await execute(outcome.effects)
        return try outcome.result.get()
    }

    /// Runs timers and logs decisions at once (no suspension, so in decision order), then hands publish and
    /// assign effects to the ordered consumer and waits for them.
    private func execute(_ effects: [RoutingEffect]) async {
        await perform(prepare(effects))
    }

    /// Applies the timer and log effects of one transition at once; returns its I/O effects.
    private func prepare(_ effects: [RoutingEffect]) -> [RoutingEffect] {
        var io: [RoutingEffect] = []
        var changedWorkItems: [String] = []
        for effect in effects {
            switch effect {
            case .scheduleTimer(let id, let deadline): schedule(id, at: deadline)
            case .cancelTimer(let id): cancel(id)
            case .log(let decision):
                // Every change of a work item is a decision about it: save the item as it is now.
                if persistsWorkItems, let id = decision.conversationID, !changedWorkItems.contains(id),
                    machine.workItem(id: id) != nil
                {
                    changedWorkItems.append(id)
                }
                record(decision)
            case .publish, .assign, .unassign, .saveWorkItem: io.append(effect)
            }
        }
        for id in changedWorkItems {
            if let item = machine.workItem(id: id) { io.append(.saveWorkItem(WorkItemRecord(item))) }
        }
        return io
    }

    /// Hands publish and assign effects to the ordered consumer and waits for them.
    private func perform(_ io: [RoutingEffect]) async {
        guard !io.isEmpty else { return }
        let (done, finished) = AsyncStream.makeStream(of: String.self)
        guard output.append(EffectBatch(effects: io, failures: finished)) else { return }
        for await failure in done {
            record(RoutingDecision(at: wallClock.now(), kind: .storeFailed, reason: failure))
        }
    }

    private func record(_ decision: RoutingDecision) {
        var decision = decision
        // The machine names every item `conversationID`; a work item's id goes where the contract expects it.
        if let id = decision.conversationID, machine.workItem(id: id) != nil {
            decision.workItemID = id
            decision.conversationID = nil
        }
        decisionWriter?.append(decision)
        decisionLog.append(decision)
        // Trimmed in one go once twice as long as kept: dropping the oldest one at every decision would move
        // the whole log each time (a busy router makes several decisions per message).
        if decisionLog.count >= 2 * Self.decisionLogLimit {
            decisionLog.removeFirst(decisionLog.count - Self.decisionLogLimit)
        }
    }

    private func schedule(_ id: RoutingTimerID, at deadline: Date) {
        guard !isShutDown else { return }
        timers.schedule(id, at: deadline)
        armWakeUp()
    }

    private func cancel(_ id: RoutingTimerID) {
        timers.cancel(id)
        if timers.count == 0 {
            wakeUp?.task.cancel()
            wakeUp = nil
        }
    }

    /// Makes sure a task sleeps until the earliest timer's deadline (none when no timer is pending).
    private func armWakeUp() {
        guard !isShutDown, let next = timers.nextDeadline else { return }
        if let wakeUp, wakeUp.deadline <= next { return }
        wakeUp?.task.cancel()
        wakeUps += 1
        let token = wakeUps
        let delay = max(0, next.timeIntervalSince(wallClock.now()))
        let task = Task { [weak self, wallClock] in
            do { try await wallClock.sleep(for: .seconds(delay)) } catch { return }
            await self?.timersDue(wakeUp: token)
        }
        wakeUp = WakeUp(token: token, deadline: next, task: task)
    }

    /// Fires the timers due now, up to ``timersPerTurn`` in one turn of the actor (each transition's timer effects
    /// applied before the next fires), then executes their I/O effects together, in order, and goes on with the
    /// rest: a storm of timeouts publishes as it goes, and other calls get their turn in between.
    private func timersDue(wakeUp token: Int) async {
        if wakeUp?.token == token { wakeUp = nil }
        while !isShutDown {
            let now = wallClock.now()
            var io: [RoutingEffect] = []
            var fired = 0
            while fired < Self.timersPerTurn, let id = timers.popDue(at: now) {
                io += prepare(machine.timerFired(id, now: now))
                fired += 1
            }
            guard fired == Self.timersPerTurn else {
                armWakeUp()
                await perform(io)
                return
            }
            await perform(io)
        }
    }

    /// How many due timers fire in one turn of the actor.
    public static let timersPerTurn = 256
}

private struct WakeUp {
    let token: Int
    let deadline: Date
    let task: Task<Void, Never>
}
