import Foundation

/// The router's agents by id, with the indexes that keep routing fast with many agents: who is free for
/// some work (per queue, in assignment order), who holds the maximum number of sessions, and who serves each
/// queue. Every write through the subscript re-indexes that agent, so the indexes cannot drift from the agents.
///
/// The agents are kept in an array in configuration order, found through a dictionary of their positions: a
/// dictionary keeps a quarter or more of its buckets empty, which for agents' states (about 240 bytes each) cost
/// 4.1 MB at 10,000 agents where the array and the positions take 2.9 MB.
struct AgentTable: Sendable {
    /// The agents in configuration order (the order of ``add(_:method:)``); `nil` only while the subscript's
    /// `_modify` holds one, so that it is changed in place rather than copied.
    private var states: [AgentState?] = []
    /// Agent ids to their position in ``states``.
    private var position: [String: Int] = [:]
    /// Agents free for some work (``AgentState/isFreeForWork(maxSessions:maxPendingAlerts:)``), per queue.
    private(set) var free = FreeAgentIndex()
    /// The queues each agent (role `agent`) is indexed in, each once.
    private var indexedQueues: [String: [String]] = [:]
    /// Agents holding at least `maxSessions` sessions.
    private(set) var atSessionLimit: Set<String> = []
    /// Agents (role `agent`) serving each queue, in configuration order.
    private(set) var queueMembers: [String: [String]] = [:]
    let maxSessions: Int
    let maxPendingAlerts: Int

    /// `capacity`: the number of agents that will be added, so that the table is allocated once at its size.
    init(maxSessions: Int, maxPendingAlerts: Int, capacity: Int = 0) {
        self.maxSessions = maxSessions
        self.maxPendingAlerts = maxPendingAlerts
        states.reserveCapacity(capacity)
        position.reserveCapacity(capacity)
    }

    /// The agent's position in configuration order (the order of ``add(_:method:)``).
    func index(of id: String) -> Int? { position[id] }

    /// Adds an agent; configuration order is the order of the calls. `method` gives each queue's assignment
    /// method.
    mutating func add(_ agent: AgentState, method: (String) -> FreeAgentIndex.Method) {
        // Configuration checks refuse an id used twice; should one come, it keeps its first position.
        if let index = position[agent.id] {
            states[index] = agent
        } else {
            position[agent.id] = states.count
            states.append(agent)
        }
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

    /// An unknown id reads `nil`, and setting it does nothing: agents come only through ``add(_:method:)``.
    subscript(id: String) -> AgentState? {
        get { position[id].flatMap { states[$0] } }
        _modify {
            guard let index = position[id] else {
                var absent: AgentState?
                yield &absent
                return
            }
            // Moved out and back, so the state's collections stay uniquely referenced while the caller changes them.
            var value = states[index].take()
            defer {
                states[index] = value
                reindex(id)
            }
            yield &value
        }
    }

    private mutating func reindex(_ id: String) {
        guard let index = position[id], let agent = states[index] else {
            atSessionLimit.remove(id)
            return
        }
        let isFree = agent.isFreeForWork(maxSessions: maxSessions, maxPendingAlerts: maxPendingAlerts)
        free.update(
            id, to: isFree ? FreeAgentIndex.Key(agent, index: index) : nil,
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
