import Foundation
import Switchboard

/// The agents free for some work, per queue, in the order the queue's assignment method prefers them, so
/// that choosing an agent for a new item looks at the front of one array instead of at every free agent.
///
/// Each queue's agents are kept sorted by ``precedes(_:_:method:)``; moving an agent (its key changes when it
/// is offered something, takes or releases a session, or stops being free) is a binary search plus an array
/// shift of small keys.
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
    private var ordered: [String: [Key]] = [:]
    /// Free agents of each queue by free capacity, so that counting those with room for an item is cheap.
    private var capacityCounts: [String: [Int: Int]] = [:]
    private var keys: [String: Key] = [:]

    /// Registers a queue's method; the first registration wins, as the configuration has one per queue.
    mutating func register(queue: String, method: Method) {
        if methods[queue] == nil { methods[queue] = method }
    }

    /// The key an agent is indexed under, or `nil` when it is not free.
    func key(of id: String) -> Key? { keys[id] }

    /// Whether some agent of `queue` is free.
    func hasFree(in queue: String) -> Bool { !(ordered[queue]?.isEmpty ?? true) }

    /// The queues with at least one free agent.
    var queuesWithFree: Dictionary<String, [Key]>.Keys { ordered.keys }

    /// Indexes the agent under `key` in each of `queues`, or removes it when `key` is `nil` (no longer free).
    mutating func update(_ id: String, to key: Key?, queues: [String]) {
        let old = keys[id]
        guard old != key else { return }
        for queue in queues {
            let method = methods[queue] ?? .roundRobin
            var list = ordered.removeValue(forKey: queue) ?? []
            if let old {
                let at = Self.insertionIndex(of: old, in: list, method: method)
                if at < list.count, list[at].id == id {
                    list.remove(at: at)
                } else if let found = list.firstIndex(where: { $0.id == id }) {
                    list.remove(at: found)
                }
                capacityCounts[queue, default: [:]][old.freeCapacity, default: 0] -= 1
                if capacityCounts[queue]?[old.freeCapacity] == 0 { capacityCounts[queue]?[old.freeCapacity] = nil }
            }
            if let key {
                list.insert(key, at: Self.insertionIndex(of: key, in: list, method: method))
                capacityCounts[queue, default: [:]][key.freeCapacity, default: 0] += 1
            }
            if !list.isEmpty { ordered[queue] = list }
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

    /// The first position whose key does not precede `key` (the order is total: indexes are unique).
    private static func insertionIndex(of key: Key, in keys: [Key], method: Method) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(keys[middle], key, method: method) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
