import Synchronization

/// Whether the gateway is shutting down: set once at SIGTERM (or a stopper), never cleared.
final class Draining: Sendable {
    private let flag = Atomic<Bool>(false)

    var isDraining: Bool { flag.load(ordering: .relaxed) }

    func begin() { flag.store(true, ordering: .relaxed) }
}
