import Foundation

/// The router's agents by id, with the indexes that keep routing fast with many agents: who is free for
/// some work (per queue, in assignment order), who holds the maximum number of sessions, and who serves each
/// queue. Every write through the subscript re-indexes that agent, so the indexes cannot drift from the agents.
struct AgentTable: Sendable {
    private var byID: [String: AgentState] = [:]
    /// Agents free for some work (``AgentState/isFreeForWork(maxSessions:maxPendingAlerts:)``), per queue.
    private(set) var free = FreeAgentIndex()
    /// Agent ids to their position in configuration order (the order of ``add(_:method:)``).
    private var position: [String: Int] = [:]
    /// The queues each agent (role `agent`) is indexed in, each once.
    private var indexedQueues: [String: [String]] = [:]
    /// Agents holding at least `maxSessions` sessions.
    private(set) var atSessionLimit: Set<String> = []
    /// Agents (role `agent`) serving each queue, in configuration order.
    private(set) var queueMembers: [String: [String]] = [:]
    let maxSessions: Int
    let maxPendingAlerts: Int

    init(maxSessions: Int, maxPendingAlerts: Int) {
        self.maxSessions = maxSessions
        self.maxPendingAlerts = maxPendingAlerts
    }

    /// Adds an agent; configuration order is the order of the calls. `method` gives each queue's assignment
    /// method.
    mutating func add(_ agent: AgentState, method: (String) -> FreeAgentIndex.Method) {
        byID[agent.id] = agent
        position[agent.id] = position.count
        if agent.profile.role == .agent {
            for queue in agent.profile.queues {
                queueMembers[queue, default: []].append(agent.id)
                free.register(queue: queue, method: method(queue))
            }
            var seen = Set<String>()
            indexedQueues[agent.id] = agent.profile.queues.filter { seen.insert($0).inserted }
        }
        reindex(agent.id)
    }

    subscript(id: String) -> AgentState? {
        get { byID[id] }
        _modify {
            var value = byID.removeValue(forKey: id)
            defer {
                byID[id] = value
                reindex(id)
            }
            yield &value
        }
    }

    private mutating func reindex(_ id: String) {
        guard let agent = byID[id] else {
            atSessionLimit.remove(id)
            return
        }
        let isFree = agent.isFreeForWork(maxSessions: maxSessions, maxPendingAlerts: maxPendingAlerts)
        free.update(
            id, to: isFree ? FreeAgentIndex.Key(agent, index: position[id] ?? 0) : nil,
            queues: indexedQueues[id] ?? [])
        if agent.sessions.count >= maxSessions {
            atSessionLimit.insert(id)
        } else {
            atSessionLimit.remove(id)
        }
    }
}

extension AgentState {
    /// Whether the agent could be offered some item, whatever the item: the checks of eligibility that do not
    /// depend on it (CONTRACT.md §8 "Eligible").
    func isFreeForWork(maxSessions: Int, maxPendingAlerts: Int) -> Bool {
        profile.role == .agent && signedIn && presenceAcceptsWork && sessions.count < maxSessions
            && pendingAlerts.count < maxPendingAlerts && freeCapacity > 0
    }
}
