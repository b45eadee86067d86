import Foundation

/// The router's items by id, with an index of those waiting for an agent, so that finding the next item to
/// offer scans small keys rather than every item the router remembers. Every write through the subscript
/// re-indexes that item, so the index cannot drift from the items.
struct ItemTable: Sendable {
    /// What the waiting order needs of a waiting item.
    struct WaitingKey: Sendable {
        var id: String
        /// The queue's number (``ItemTable/queueNumber(_:)``): comparing numbers keeps the scan cheap.
        var queue: Int
        var queuePriority: Int
        var priority: Int
        var arrival: Int

        /// Higher queue priority first, then higher item priority, then first in, first out.
        static func servedBefore(_ a: WaitingKey, _ b: WaitingKey) -> Bool {
            if a.queuePriority != b.queuePriority { return a.queuePriority > b.queuePriority }
            return a.priority != b.priority ? a.priority > b.priority : a.arrival < b.arrival
        }
    }

    private var byID: [String: RoutedItem] = [:]
    /// Items waiting now (not closed, no owner, no pending offer), by id.
    private(set) var waiting: [String: WaitingKey] = [:]
    /// The same keys per queue number, in serving order: the next item to offer is found at the front of a
    /// few arrays instead of by scanning every waiting item.
    private var ordered: [Int: [WaitingKey]] = [:]
    /// Queue names to small numbers, in the order first seen.
    private var queueNumbers: [String: Int] = [:]

    /// The number of a queue, or `nil` when no item was ever in it.
    func queueNumber(_ queue: String) -> Int? { queueNumbers[queue] }

    var values: Dictionary<String, RoutedItem>.Values { byID.values }

    subscript(id: String) -> RoutedItem? {
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
        if let old = waiting.removeValue(forKey: id) { removeOrdered(old) }
        guard let item = byID[id], item.isWaiting else { return }
        let queue = item.request.queue
        let number = queueNumbers[queue] ?? queueNumbers.count
        queueNumbers[queue] = number
        let key = WaitingKey(
            id: id, queue: number, queuePriority: item.queuePriority, priority: item.request.priority,
            arrival: item.arrival)
        waiting[id] = key
        ordered[number, default: []].insert(key, at: Self.insertionIndex(of: key, in: ordered[number] ?? []))
    }

    private mutating func removeOrdered(_ key: WaitingKey) {
        guard var keys = ordered.removeValue(forKey: key.queue) else { return }
        let index = Self.insertionIndex(of: key, in: keys)
        if index < keys.count, keys[index].id == key.id {
            keys.remove(at: index)
        } else if let found = keys.firstIndex(where: { $0.id == key.id }) {
            keys.remove(at: found)
        }
        if !keys.isEmpty { ordered[key.queue] = keys }
    }

    /// The first position whose key is not served before `key` (binary search; arrivals are unique, so the
    /// serving order is total).
    private static func insertionIndex(of key: WaitingKey, in keys: [WaitingKey]) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if WaitingKey.servedBefore(keys[middle], key) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The waiting item served first among `queues`, passing over the ids in `skipping`.
    func firstWaiting(in queues: Set<Int>, skipping: Set<String>) -> WaitingKey? {
        var best: WaitingKey?
        for queue in queues {
            guard let keys = ordered[queue], let head = keys.first(where: { !skipping.contains($0.id) }) else {
                continue
            }
            if best.map({ WaitingKey.servedBefore(head, $0) }) ?? true { best = head }
        }
        return best
    }
}
