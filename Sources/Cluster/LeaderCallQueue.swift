import Synchronization

/// A follower's calls to the leader, one request at a time: a call made while none is on its way goes at once,
/// alone; calls made meanwhile wait and go together in the next request (`POST /internal/cluster/calls`, at most
/// ``maximumBatch``), so that under load a follower sends a request per batch rather than per webhook. Calls
/// reach the leader in the order they were made; each caller learns whether its batch was taken.
package final class LeaderCallQueue: Sendable {
    package static let maximumBatch = 256

    private struct Waiting: Sendable {
        var call: ClusterCall
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var sending = false
    }

    private let state = Mutex(State())
    private let batches = Atomic<Int>(0)

    package init() {}

    /// How many requests have carried calls, for tests.
    package var batchCount: Int { batches.load(ordering: .relaxed) }

    /// How many calls wait for the next request, for tests.
    package var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Sends `call` with the next request, which `deliver` makes (true when the leader took its calls).
    package func send(_ call: ClusterCall, via deliver: @escaping @Sendable ([ClusterCall]) async -> Bool) async -> Bool
    {
        await withCheckedContinuation { continuation in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(call: call, continuation: continuation))
                guard !state.sending else { return false }
                state.sending = true
                return true
            }
            if starts { Task { await self.drain(via: deliver) } }
        }
    }

    /// Sends what waits, a request at a time, until nothing does.
    private func drain(via deliver: @Sendable ([ClusterCall]) async -> Bool) async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let count = min(state.waiting.count, Self.maximumBatch)
                if count == 0 { state.sending = false }
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            guard !batch.isEmpty else { return }
            let taken = await deliver(batch.map(\.call))
            batches.add(1, ordering: .relaxed)
            for waiting in batch { waiting.continuation.resume(returning: taken) }
        }
    }
}
