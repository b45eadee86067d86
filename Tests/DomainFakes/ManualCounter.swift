import Synchronization

/// A counter a test's closures may bump from any task.
public final class ManualCounter: Sendable {
    private let count = Mutex(0)
    public init() {}
    public func add() { count.withLock { $0 += 1 } }
    public var value: Int { count.withLock { $0 } }
}
