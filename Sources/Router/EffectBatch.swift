import Switchboard

/// Publish and assign effects of one transition, and where to report store failures.
struct EffectBatch: Sendable {
    let effects: [RoutingEffect]
    let failures: AsyncStream<String>.Continuation

    /// Executes the batches that waited together, as one, then reports every batch's failures to it.
    ///
    /// The ordered consumer used to execute one batch after another, each assignment and each publish awaiting
    /// its own transaction, so the consumer's pace was one commit per effect whatever the load: at 1,000
    /// webhooks/s on a busy machine commits came slower than webhooks and the queue grew to seconds (issue 18).
    /// Now what waited shares the transactions: the assignments of different conversations are written
    /// concurrently (the store's group commit puts them in one transaction; one conversation's changes stay in
    /// order), the work items in one call, the events in one publish (one transaction, then to the streams in
    /// order). The events go beside the assignments when no event was decided after an assignment (a
    /// notification and its auto-accept: the assignment comes last), else after them. So a batch still returns
    /// only when all of it is stored (an accept answers after its assignment is), and an agent still gets its
    /// events in the order they were decided, each once the assignments decided before it are stored.
    static func execute(
        _ batches: [EffectBatch], store: any AssignmentStore, workItems: (any WorkItemStore)?,
        events: any AgentEventSink
    ) async {
        var publishes: [(event: AgentEvent, agentID: String)] = []
        var assignments: [String: [(agentID: String?, batch: Int)]] = [:]
        var conversationOrder: [String] = []
        var savedItems: [(item: WorkItemRecord, batch: Int)] = []
        // Whether some event was decided after a store change of its batch (then it must wait for that change).
        var eventAfterChange = false
        for (index, batch) in batches.enumerated() {
            var changed = false
            for effect in batch.effects {
                if case .publish = effect { eventAfterChange = eventAfterChange || changed } else { changed = true }
                switch effect {
                case .publish(let event, let agentID):
                    publishes.append((event, agentID))
                case .assign(let conversationID, let agentID):
                    if assignments[conversationID] == nil { conversationOrder.append(conversationID) }
                    assignments[conversationID, default: []].append((agentID, index))
                case .unassign(let conversationID):
                    if assignments[conversationID] == nil { conversationOrder.append(conversationID) }
                    assignments[conversationID, default: []].append((nil, index))
                case .saveWorkItem(let item):
                    savedItems.append((item, index))
                case .scheduleTimer, .cancelTimer, .log:
                    break
                }
            }
        }
        var failures: [(batch: Int, message: String)] = []
        let publishBeside = !eventAfterChange && !publishes.isEmpty
        await withTaskGroup(of: [(batch: Int, message: String)].self) { group in
            if publishBeside {
                group.addTask { [publishes] in
                    await events.publish(publishes)
                    return []
                }
            }
            for conversationID in conversationOrder {
                let changes = assignments[conversationID] ?? []
                group.addTask { await assign(conversationID, changes, store: store) }
            }
            if let workItems, !savedItems.isEmpty {
                group.addTask { [savedItems] in await save(savedItems, to: workItems) }
            }
            for await failed in group { failures += failed }
        }
        if !publishBeside, !publishes.isEmpty { await events.publish(publishes) }
        for (batch, message) in failures { batches[batch].failures.yield(message) }
        for batch in batches { batch.failures.finish() }
    }

    /// One conversation's assignment changes, in order.
    private static func assign(
        _ conversationID: String, _ changes: [(agentID: String?, batch: Int)], store: any AssignmentStore
    ) async -> [(batch: Int, message: String)] {
        var failures: [(batch: Int, message: String)] = []
        for change in changes {
            do {
                try await store.assignConversation(id: conversationID, to: change.agentID)
            } catch {
                let what = change.agentID.map { "as assigned to \($0)" } ?? "as unassigned"
                failures.append((change.batch, "could not store \(conversationID) \(what): \(error)"))
            }
        }
        return failures
    }

    /// The work items, in order, in one call; a failure is reported to each batch that changed one of them.
    private static func save(
        _ items: [(item: WorkItemRecord, batch: Int)], to store: any WorkItemStore
    ) async -> [(batch: Int, message: String)] {
        do {
            try await store.saveWorkItems(items.map(\.item))
            return []
        } catch {
            return items.map { ($0.batch, "could not store work item \($0.item.id): \(error)") }
        }
    }
}
