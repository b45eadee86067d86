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
    /// Now what waited shares the transactions: the assignments in one call (one transaction, each
    /// conversation's changes in order), the work items in one call, the events in one publish (one
    /// transaction, then to the streams in order). The events go beside the assignments when no event was
    /// decided after an assignment (a notification and its auto-accept: the assignment comes last), else after
    /// them. So a batch still returns only when all of it is stored (an accept answers after its assignment is),
    /// and an agent still gets its events in the order they were decided, each once the assignments decided
    /// before it are stored.
    static func execute(
        _ batches: [EffectBatch], store: any AssignmentStore, workItems: (any WorkItemStore)?,
        events: any AgentEventSink
    ) async {
        var publishes: [(event: AgentEvent, agentID: String)] = []
        var assignments: [(change: ConversationAssignment, batch: Int)] = []
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
                    assignments.append(
                        (ConversationAssignment(conversationID: conversationID, agentID: agentID), index))
                case .unassign(let conversationID):
                    assignments.append((ConversationAssignment(conversationID: conversationID, agentID: nil), index))
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
            if !assignments.isEmpty {
                group.addTask { [assignments] in await assign(assignments, in: store) }
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

    /// The assignment changes, in order, in one call; a failure is reported to the batch that decided it.
    private static func assign(
        _ changes: [(change: ConversationAssignment, batch: Int)], in store: any AssignmentStore
    ) async -> [(batch: Int, message: String)] {
        let errors = await store.assignConversations(changes.map(\.change))
        return zip(changes, errors).compactMap { entry, error in
            guard let error else { return nil }
            let what = entry.change.agentID.map { "as assigned to \($0)" } ?? "as unassigned"
            return (entry.batch, "could not store \(entry.change.conversationID) \(what): \(error)")
        }
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
