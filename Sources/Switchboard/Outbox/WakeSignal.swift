import Synchronization

/// Wakes one waiting task early; a signal sent while nobody waits is kept for the next wait.
///
/// A wait's timeout ends that wait only: it is never kept as a signal. (It once was — a wait ended early
/// cancelled its timer, the cancelled timer signalled, and the next wait returned at once, and so on: every loop
/// waiting on a signal spun at full speed after its first early wake-up.)
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Which wait is current; a timeout or cancellation names the wait it ends.
        var generation = 0
        /// The current wait ended (timeout or cancellation) before it began waiting.
        var expired = false
    }
    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns at the next signal, after `timeout`, or when the task is cancelled, whichever comes first.
    public func wait(timeout: Duration) async {
        let generation = state.withLock { state in
            state.generation += 1
            state.expired = false
            return state.generation
        }
        let timer = Task { [self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            expire(generation)
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || (state.expired && state.generation == generation) {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            expire(generation)
        }
    }

    /// Ends wait `generation` if it is still the current one, without leaving a signal for the next.
    private func expire(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            guard let waiter = state.waiter else {
                state.expired = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
