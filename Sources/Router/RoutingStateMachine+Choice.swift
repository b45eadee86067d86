import Foundation
import Switchboard

// Choosing the agent to offer an item to (CONTRACT.md §8 "Offers"): from the free-agent index, and by a scan of
// every agent, which states the rule plainly and against which tests check the index.
extension RoutingStateMachine {
    /// The agent to offer `item` to, and why. Agents offered the item fewer times come first (a reject or
    /// timeout passes it on), then the queue's method decides: most free capacity (`highest-capacity`),
    /// fewest sessions (`least-active`) or neither (`round-robin`); then the least recently offered anything,
    /// then configuration order.
    ///
    /// Chooses the same agent as ``bestAgentByScan(for:)`` without looking at every agent: the free agents of
    /// the item's queue are kept in its method's order, so the first of them the item can go to and was never
    /// offered it is the best. Only when every eligible agent was offered the item before are those agents
    /// (at most the item's offers) compared.
    func bestAgent(for item: RoutedItem) -> (agentID: String, why: String)? {
        guard settings.maxOffersPerAgent > 0 else { return nil }
        let queue = item.request.queue
        let offerCounts = item.offers.reduce(into: [String: Int]()) { $0[$1.agentId, default: 0] += 1 }
        let fresh = agents.free.first(in: queue) {
            $0.freeCapacity >= item.cost && $0.id != item.excludedAgent && offerCounts[$0.id] == nil
        }
        let chosen: AgentState?
        if let fresh {
            chosen = agents[fresh.id]
        } else {
            let method = configuration.queue(id: queue).method
            chosen =
                offerCounts.keys.compactMap { id -> (key: FreeAgentIndex.Key, offers: Int)? in
                    guard let agent = agents[id], let index = agents.index(of: id),
                        ineligibility(of: agent, for: item) == nil
                    else { return nil }
                    return (FreeAgentIndex.Key(agent, index: index), offerCounts[id] ?? 0)
                }
                .min { a, b in
                    a.offers != b.offers ? a.offers < b.offers : FreeAgentIndex.precedes(a.key, b.key, method: method)
                }
                .flatMap { agents[$0.key.id] }
        }
        guard let agent = chosen else { return nil }
        return (
            agent.id, offerReason(for: item, to: agent, eligible: eligibleCount(for: item, offerCounts: offerCounts))
        )
    }

    /// How many agents are eligible for `item`: the free agents of its queue with room for it, less those it
    /// may not go to (held it before, offered it too often).
    private func eligibleCount(for item: RoutedItem, offerCounts: [String: Int]) -> Int {
        let queue = item.request.queue
        var barred = Set(offerCounts.filter { $0.value >= settings.maxOffersPerAgent }.keys)
        if let excluded = item.excludedAgent { barred.insert(excluded) }
        let counted = barred.count { id in
            guard let key = agents.free.key(of: id), key.freeCapacity >= item.cost else { return false }
            return agents[id]?.profile.queues.contains(queue) ?? false
        }
        return agents.free.count(in: queue, freeCapacityAtLeast: item.cost) - counted
    }

    /// The decision log's reason for offering `item` to `agent`.
    private func offerReason(for item: RoutedItem, to agent: AgentState, eligible: Int) -> String {
        "\(eligible) eligible in queue \(item.request.queue) (\(configuration.queue(id: item.request.queue).method.rawValue)); "
            + "\(agent.id) has \(agent.freeCapacity) of \(agent.profile.capacity) free and \(agent.sessions.count) "
            + "sessions, offered this item \(item.offerCount(to: agent.id)) times before"
    }

    /// ``bestAgent(for:)`` by checking every configured agent: the rule as stated, O(agents). Tests check that
    /// the index chooses as this does.
    func bestAgentByScan(for item: RoutedItem) -> (agentID: String, why: String)? {
        let eligible = agentOrder.indices.compactMap { index -> (index: Int, agent: AgentState)? in
            guard let agent = agents[agentOrder[index]], ineligibility(of: agent, for: item) == nil else { return nil }
            return (index, agent)
        }
        let method = configuration.queue(id: item.request.queue).method
        let best = eligible.min { a, b in
            let offersA = item.offerCount(to: a.agent.id)
            let offersB = item.offerCount(to: b.agent.id)
            if offersA != offersB { return offersA < offersB }
            switch method {
            case .highestCapacity where a.agent.freeCapacity != b.agent.freeCapacity:
                return a.agent.freeCapacity > b.agent.freeCapacity
            case .leastActive where a.agent.sessions.count != b.agent.sessions.count:
                return a.agent.sessions.count < b.agent.sessions.count
            default: break
            }
            switch (a.agent.lastOfferedAt, b.agent.lastOfferedAt) {
            case (nil, .some): return true
            case (.some, nil): return false
            case (.some(let x), .some(let y)) where x != y: return x < y
            default: return a.index < b.index
            }
        }
        guard let best else { return nil }
        return (best.agent.id, offerReason(for: item, to: best.agent, eligible: eligible.count))
    }
}
