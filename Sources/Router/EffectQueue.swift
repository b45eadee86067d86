import Synchronization

/// The ordered consumer's inbox: effect batches in the order the router decided them. The one consumer takes
/// every batch that waited at once (``EffectBatch/execute(_:store:workItems:events:)`` runs them together).
final class EffectQueue: Sendable {
    /// At most this many batches are executed together.
    static let maxBatchesPerTurn = 256

    private struct State {
        var batches: [EffectBatch] = []
        var consumer: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Adds a batch; `false` once the queue is finished (the batch is dropped).
    func append(_ batch: EffectBatch) -> Bool {
        let (accepted, consumer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !state.finished else { return (false, nil) }
            state.batches.append(batch)
            defer { state.consumer = nil }
            return (true, state.consumer)
        }
        consumer?.resume()
        return accepted
    }

    /// No batch is accepted any more; the consumer still gets those already added.
    func finish() {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// The batches waiting, oldest first (at most ``maxBatchesPerTurn``), waiting for one if there is none;
    /// `nil` once finished and empty. For one consumer at a time.
    func next() async -> [EffectBatch]? {
        while true {
            let taken = state.withLock { state -> [EffectBatch]? in
                guard !state.batches.isEmpty else { return state.finished ? [] : nil }
                let count = min(state.batches.count, Self.maxBatchesPerTurn)
                defer { state.batches.removeFirst(count) }
                return Array(state.batches.prefix(count))
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.batches.isEmpty, !state.finished else { return true }
                    state.consumer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
