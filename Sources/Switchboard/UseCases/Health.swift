/// What `/readyz` and the metrics ask of the gateway's state.
public struct Health: Sendable {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    /// Whether the database answers (`/readyz`).
    public func checkDatabase() async throws {
        try await store.ping()
    }

    /// Replies waiting in the outbox (`switchboard_outbox_depth`).
    public func outboxDepth() async throws -> Int {
        try await store.outboxDepth()
    }

    /// Events waiting for the remote core (`switchboard_core_outbox_depth`).
    public func coreOutboxDepth() async throws -> Int {
        try await store.coreEventDepth()
    }
}
