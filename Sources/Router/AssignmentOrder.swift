import Foundation
import Switchboard

/// One queue's free agents in its assignment order (``FreeAgentIndex/precedes(_:_:method:)``), as a treap: a
/// binary search tree kept balanced by random node priorities, so that adding or removing an agent costs
/// O(log agents) expected and the best agents are read from the front in order.
///
/// Nodes live in arrays (slots reused after removal) rather than as objects, so the value is an ordinary
/// copy-on-write struct. The priorities come from a counter through SplitMix64: the shape, like every
/// outcome of the state machine, is deterministic.
struct AssignmentOrder: Sendable {
    typealias Key = FreeAgentIndex.Key

    let method: FreeAgentIndex.Method
    private var keys: [Key] = []
    private var left: [Int] = []
    private var right: [Int] = []
    private var priority: [UInt64] = []
    private var vacant: [Int] = []
    private var root = -1
    private var draws: UInt64 = 0
    private(set) var count = 0

    init(method: FreeAgentIndex.Method) { self.method = method }

    var isEmpty: Bool { count == 0 }

    /// Adds `key`, which must not be present (keys differ by their agent's configuration index).
    mutating func insert(_ key: Key) {
        let node = allocate(key)
        let (before, after) = split(root, before: key)
        root = merge(merge(before, node), after)
        count += 1
    }

    /// Removes `key`, as it was inserted; returns whether it was present.
    @discardableResult
    mutating func remove(_ key: Key) -> Bool {
        let (before, after) = split(root, before: key)
        // The first node not ordered before `key` is `key` itself when present.
        var first = after
        while first >= 0, left[first] >= 0 { first = left[first] }
        guard first >= 0, keys[first].index == key.index else {
            root = merge(before, after)
            return false
        }
        root = merge(before, removeLeftmost(after))
        vacant.append(first)
        count -= 1
        return true
    }

    /// The first key, in order, that `accepts`.
    func first(where accepts: (Key) -> Bool) -> Key? {
        var stack: [Int] = []
        var node = root
        while node >= 0 || !stack.isEmpty {
            while node >= 0 {
                stack.append(node)
                node = left[node]
            }
            let top = stack.removeLast()
            if accepts(keys[top]) { return keys[top] }
            node = right[top]
        }
        return nil
    }

    private mutating func allocate(_ key: Key) -> Int {
        draws &+= 1
        let drawn = Self.splitMix64(draws)
        if let slot = vacant.popLast() {
            keys[slot] = key
            left[slot] = -1
            right[slot] = -1
            priority[slot] = drawn
            return slot
        }
        keys.append(key)
        left.append(-1)
        right.append(-1)
        priority.append(drawn)
        return keys.count - 1
    }

    /// Splits the tree at `node` into the keys ordered before `key` and the others.
    private mutating func split(_ node: Int, before key: Key) -> (Int, Int) {
        guard node >= 0 else { return (-1, -1) }
        if FreeAgentIndex.precedes(keys[node], key, method: method) {
            let (before, after) = split(right[node], before: key)
            right[node] = before
            return (node, after)
        }
        let (before, after) = split(left[node], before: key)
        left[node] = after
        return (before, node)
    }

    /// Joins two trees, every key of `first` ordered before every key of `second`.
    private mutating func merge(_ first: Int, _ second: Int) -> Int {
        guard first >= 0 else { return second }
        guard second >= 0 else { return first }
        if priority[first] > priority[second] {
            right[first] = merge(right[first], second)
            return first
        }
        left[second] = merge(first, left[second])
        return second
    }

    /// The tree at `node` without its first key.
    private mutating func removeLeftmost(_ node: Int) -> Int {
        guard left[node] >= 0 else { return right[node] }
        left[node] = removeLeftmost(left[node])
        return node
    }

    private static func splitMix64(_ seed: UInt64) -> UInt64 {
        var z = seed &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
