import Foundation

/// The outbox of requests to an external core (CONTRACT.md §2 `router.mode = remote`).
public protocol CoreNotificationStore: Sendable {
    /// Keeps a notification request for the external core until it answered 2xx; `id` is its stable
    /// `webhook-id`. Enqueueing an id twice keeps the first.
    func enqueueCoreNotification(_ notification: CoreNotification) async throws
    /// Requests due at `now`, oldest first.
    func dueCoreNotifications(now: Date, limit: Int) async throws -> [CoreNotification]
    /// The core answered 2xx: forget the request.
    func completeCoreNotification(id: String) async throws
    /// The core did not answer 2xx: try again at `nextAttemptAt`.
    func retryCoreNotification(id: String, nextAttemptAt: Date, error: String) async throws
    /// The earliest pending `nextAttemptAt`, for the worker's sleep.
    func nextCoreNotificationAttempt() async throws -> Date?
}

/// A notification request waiting to be POSTed to the external core (``CoreNotificationStore/enqueueCoreNotification(_:)``).
public struct CoreNotification: Sendable, Equatable {
    /// Stable across retries: the request's `webhook-id`.
    public var id: String
    /// The JSON body, exactly as it is signed and sent.
    public var body: String
    public var createdAt: Date
    /// Attempts made so far.
    public var attempts: Int
    public var lastError: String?

    public init(id: String, body: String, createdAt: Date, attempts: Int = 0, lastError: String? = nil) {
        self.id = id
        self.body = body
        self.createdAt = createdAt
        self.attempts = attempts
        self.lastError = lastError
    }
}
