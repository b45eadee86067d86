import Foundation

/// The router's pending timers by deadline: one wake-up for the earliest instead of a sleeping task per timer,
/// so that 100,000 pending alerts cost a heap entry each, and timers due together fire in one turn of the router.
///
/// A timer is identified by its ``RoutingTimerID`` and the token of its latest scheduling: re-scheduling or
/// cancelling it makes the earlier heap entry stale, and stale entries are skipped when they come up (or dropped
/// when stale entries outnumber live ones).
struct TimerQueue {
    private struct Entry {
        let deadline: Date
        let token: Int
        let id: RoutingTimerID
    }

    /// The live timers: id → (token, deadline).
    private var live: [RoutingTimerID: (token: Int, deadline: Date)] = [:]
    private var heap: [Entry] = []
    private var tokens = 0

    var count: Int { live.count }

    /// The earliest live deadline.
    var nextDeadline: Date? {
        mutating get {
            dropStaleTop()
            return heap.first?.deadline
        }
    }

    /// Schedules `id` at `deadline`, replacing an earlier scheduling of it.
    mutating func schedule(_ id: RoutingTimerID, at deadline: Date) {
        tokens += 1
        live[id] = (tokens, deadline)
        push(Entry(deadline: deadline, token: tokens, id: id))
        if heap.count > 2 * live.count + 1024 { compact() }
    }

    mutating func cancel(_ id: RoutingTimerID) {
        live[id] = nil
    }

    mutating func removeAll() {
        live = [:]
        heap = []
    }

    /// Removes and returns the earliest live timer due at `now`, if any.
    mutating func popDue(at now: Date) -> RoutingTimerID? {
        dropStaleTop()
        guard let top = heap.first, top.deadline <= now else { return nil }
        popTop()
        live[top.id] = nil
        return top.id
    }

    private func isLive(_ entry: Entry) -> Bool { live[entry.id]?.token == entry.token }

    private mutating func dropStaleTop() {
        while let top = heap.first, !isLive(top) { popTop() }
    }

    private mutating func compact() {
        heap = live.map { Entry(deadline: $0.value.deadline, token: $0.value.token, id: $0.key) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    // MARK: Binary min-heap on (deadline, token): timers due together fire in the order they were scheduled.

    private static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.token < b.token
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, Self.precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard Self.precedes(heap[smallest], heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
