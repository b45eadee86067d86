/// A lock held across suspension points: the work inside runs one at a time, in arrival order. Actors alone
/// do not give that, since they let other calls in while one awaits.
public actor AsyncLock {
    public init() {}

    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func withLock<T: Sendable>(_ work: @Sendable () async -> T) async -> T {
        await lock()
        let result = await work()
        unlock()
        return result
    }

    private func lock() async {
        guard locked else {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
