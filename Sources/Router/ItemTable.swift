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
        guard let item = byID[id], item.isWaiting else {
            waiting.removeValue(forKey: id)
            return
        }
        let queue = item.request.queue
        let number = queueNumbers[queue] ?? queueNumbers.count
        queueNumbers[queue] = number
        waiting[id] = WaitingKey(
            id: id, queue: number, queuePriority: item.queuePriority, priority: item.request.priority,
            arrival: item.arrival)
    }
}
