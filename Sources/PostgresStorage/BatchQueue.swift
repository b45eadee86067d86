import Foundation
import Switchboard
import Synchronization

/// A group commit on PostgreSQL, as the SQLite store's writer does it: calls that arrive while the batch lanes are
/// busy wait here, and the next lane to come free takes them all (up to ``maximumBatch``) into one transaction. A
/// lone call is not delayed: with a lane free it starts at once, as a batch of one.
///
/// At most ``lanes`` batches run at once, each on its own pooled connection: while one waits for its `COMMIT`
/// to be flushed, the next is already running. Used for inbound messages (``InboundBatchQueue``,
/// ``PostgresStore/runInboundBatch(_:_:)``) and for core events delivered (``CoreEventCompletionQueue``).
final class BatchQueue<Call: Sendable>: Sendable {
    static var maximumBatch: Int { 64 }
    static var callsForAnotherLane: Int { 16 }

    let lanes: Int
    private struct State {
        var pending: [Call] = []
        var running = 0
    }
    private let state = Mutex(State())
    private let batches = Atomic<Int>(0)

    init(lanes: Int) {
        self.lanes = max(1, lanes)
    }

    /// How many batches have ended (committed or not), for tests.
    var batchCount: Int { batches.load(ordering: .relaxed) }

    /// How many calls wait for a lane.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Queues `call`; `true` when the caller must start a lane for it: none is running, or fewer than ``lanes``
    /// are and at least ``callsForAnotherLane`` calls wait (a backlog one lane does not clear: a slow database's
    /// round trips), so that under load batches stay large rather than split between lanes.
    func enqueue(_ call: Call) -> Bool {
        state.withLock { state in
            state.pending.append(call)
            guard state.running == 0 || (state.running < lanes && state.pending.count >= Self.callsForAnotherLane)
            else { return false }
            state.running += 1
            return true
        }
    }

    /// The next batch, in arrival order; `nil` (and the lane ends) when none waits.
    func next() -> [Call]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.running -= 1
                return nil
            }
            let count = min(state.pending.count, Self.maximumBatch)
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
    }

    func batchEnded() {
        batches.add(1, ordering: .relaxed)
    }
}

/// One caller waiting for its inbound message to be stored.
struct InboundBatchCall: Sendable {
    var record: InboundRecord
    /// Where the batch puts the record's first core event when it claims it for the local sender.
    var claim: CoreEventClaim?
    var continuation: CheckedContinuation<InboundOutcome, any Error>
}

typealias InboundBatchQueue = BatchQueue<InboundBatchCall>
