import Switchboard

/// Publish and assign effects of one transition, and where to report store failures.
struct EffectBatch: Sendable {
    let effects: [RoutingEffect]
    let failures: AsyncStream<String>.Continuation

    func execute(store: any AssignmentStore, workItems: (any WorkItemStore)?, events: any AgentEventSink) async {
        // Consecutive publishes go to the sink together (one store transaction), still in order.
        var publishes: [(event: AgentEvent, agentID: String)] = []
        for effect in effects {
            if case .publish(let event, let agentID) = effect {
                publishes.append((event, agentID))
                continue
            }
            if !publishes.isEmpty {
                await events.publish(publishes)
                publishes = []
            }
            switch effect {
            case .publish:
                break
            case .assign(let conversationID, let agentID):
                do {
                    try await store.assignConversation(id: conversationID, to: agentID)
                } catch {
                    failures.yield("could not store \(conversationID) as assigned to \(agentID): \(error)")
                }
            case .unassign(let conversationID):
                do {
                    try await store.assignConversation(id: conversationID, to: nil)
                } catch {
                    failures.yield("could not store \(conversationID) as unassigned: \(error)")
                }
            case .saveWorkItem(let item):
                do {
                    try await workItems?.saveWorkItems([item])
                } catch {
                    failures.yield("could not store work item \(item.id): \(error)")
                }
            case .scheduleTimer, .cancelTimer, .log:
                break
            }
        }
        if !publishes.isEmpty { await events.publish(publishes) }
        failures.finish()
    }
}
