import Synchronization

/// The router the routes use. With SQLite it is one router for the process's life; in a cluster a new leader
/// puts a freshly restored router here at each takeover (a deposed leader's router is shut down, not reused).
public final class RouterSlot: Sendable {
    private let router: Mutex<EmbeddedRouter>

    public init(_ router: EmbeddedRouter) {
        self.router = Mutex(router)
    }

    public var current: EmbeddedRouter { router.withLock { $0 } }

    /// Puts `router` in place; returns the one it replaces.
    @discardableResult
    public func replace(with router: EmbeddedRouter) -> EmbeddedRouter {
        self.router.withLock { slot in
            let old = slot
            slot = router
            return old
        }
    }
}
