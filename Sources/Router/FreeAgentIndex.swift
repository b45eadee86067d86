import Foundation
import Switchboard

/// The agents free for some work, per queue, in the order the queue's assignment method prefers them, so
/// that choosing an agent for a new item looks at the front of one array instead of at every free agent.
///
/// Each queue's agents are kept in an ``AssignmentOrder`` sorted by ``precedes(_:_:method:)``; moving an agent
/// (its key changes when it is offered something, takes or releases a session, or stops being free) costs
/// O(log agents) per queue it serves.
struct FreeAgentIndex: Sendable {
    typealias Method = Configuration.QueueSettings.Method

    /// What the assignment order needs of a free agent.
    struct Key: Sendable, Equatable {
        var id: String
        /// Position in configuration order, the last tie-break.
        var index: Int
        var freeCapacity: Int
        var sessions: Int
        var lastOfferedAt: Date?

        init(_ agent: AgentState, index: Int) {
            id = agent.id
            self.index = index
            freeCapacity = agent.freeCapacity
            sessions = agent.sessions.count
            lastOfferedAt = agent.lastOfferedAt
        }
    }

    /// Each queue's method, fixed when its first agent is added.
    private var methods: [String: Method] = [:]
    private var ordered: [String: AssignmentOrder] = [:]
    /// Free agents of each queue by free capacity, so that counting those with room for an item is cheap.
    private var capacityCounts: [String: [Int: Int]] = [:]
    private var keys: [String: Key] = [:]

    /// Registers a queue's method; the first registration wins, as the configuration has one per queue.
    mutating func register(queue: String, method: Method) {
        if methods[queue] == nil { methods[queue] = method }
    }

    /// The key an agent is indexed under, or `nil` when it is not free.
    func key(of id: String) -> Key? { keys[id] }

    /// The queues with at least one free agent.
    var queuesWithFree: [String] { ordered.compactMap { $0.value.isEmpty ? nil : $0.key } }

    /// Indexes the agent under `key` in each of `queues`, or removes it when `key` is `nil` (no longer free).
    mutating func update(_ id: String, to key: Key?, queues: [String]) {
        let old = keys[id]
        guard old != key else { return }
        for queue in queues {
            let method = methods[queue] ?? .roundRobin
            if let old {
                ordered[queue, default: AssignmentOrder(method: method)].remove(old)
                capacityCounts[queue, default: [:]][old.freeCapacity, default: 0] -= 1
                if capacityCounts[queue]?[old.freeCapacity] == 0 {
                    capacityCounts[queue]?[old.freeCapacity] = nil
                }
            }
            if let key {
                ordered[queue, default: AssignmentOrder(method: method)].insert(key)
                capacityCounts[queue, default: [:]][key.freeCapacity, default: 0] += 1
            }
        }
        keys[id] = key
    }

    /// The first free agent of `queue`, in its method's order, that `accepts`.
    ///
    /// Agents the item cannot go to (too little free capacity, offered it before, held it before) are passed
    /// over; they are few in practice, as the order puts the freest agents first.
    func first(in queue: String, where accepts: (Key) -> Bool) -> Key? {
        ordered[queue]?.first(where: accepts)
    }

    /// How many free agents of `queue` have at least `capacity` free.
    func count(in queue: String, freeCapacityAtLeast capacity: Int) -> Int {
        (capacityCounts[queue] ?? [:]).reduce(0) { $0 + ($1.key >= capacity ? $1.value : 0) }
    }

    /// The assignment order among agents offered an item equally often (CONTRACT.md §8): most free capacity
    /// (`highest-capacity`), fewest sessions (`least-active`) or neither (`round-robin`); then the least
    /// recently offered anything (never offered first); then configuration order.
    static func precedes(_ a: Key, _ b: Key, method: Method) -> Bool {
        switch method {
        case .highestCapacity where a.freeCapacity != b.freeCapacity:
            return a.freeCapacity > b.freeCapacity
        case .leastActive where a.sessions != b.sessions:
            return a.sessions < b.sessions
        default: break
        }
        switch (a.lastOfferedAt, b.lastOfferedAt) {
        case (nil, .some): return true
        case (.some, nil): return false
        case (.some(let x), .some(let y)) where x != y: return x < y
        default: return a.index < b.index
        }
    }
}
