import Foundation
import Logging
import Switchboard
import Synchronization

/// Writes the router's decisions to its ``DecisionStore`` in batches, in order, off the router's path: the router
/// appends (no suspension), a task writes what gathered every 200 ms or every 256 decisions. A failed write is
/// logged and its batch dropped: the log explains, it decides nothing.
final class DecisionWriter: Sendable {
    let store: any DecisionStore
    let logger: Logger
    private let pending = Mutex<[RoutingDecision]>([])
    private let signal = WakeSignal()
    /// Serialises flushes (the loop's and a reader's), so batches land in order.
    private let flushing = FlushLock()

    init(store: any DecisionStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func append(_ decision: RoutingDecision) {
        let count = pending.withLock { pending in
            pending.append(decision)
            return pending.count
        }
        if count >= 256 { signal.signal() }
    }

    /// Writes until cancelled, then writes what is left.
    func run() async {
        while !Task.isCancelled {
            await signal.wait(timeout: .milliseconds(200))
            await flush()
        }
        await flush()
    }

    /// Writes every decision appended so far.
    func flush() async {
        await flushing.run {
            let batch = self.pending.withLock { pending in
                defer { pending = [] }
                return pending
            }
            guard !batch.isEmpty else { return }
            do {
                try await self.store.appendDecisions(batch)
            } catch {
                self.logger.warning("router: \(batch.count) routing decisions could not be stored: \(error)")
            }
        }
    }
}

/// One flush at a time, in call order.
actor FlushLock {
    private var tail: Task<Void, Never>?

    func run(_ work: @escaping @Sendable () async -> Void) async {
        let previous = tail
        let task = Task {
            await previous?.value
            await work()
        }
        tail = task
        await task.value
    }
}
