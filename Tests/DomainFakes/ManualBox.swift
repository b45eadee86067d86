import Synchronization

/// A value a test sets inside a closure it hands to a fixture and reads afterwards.
public final class ManualBox<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)
    public init() {}
    public var value: Value? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
