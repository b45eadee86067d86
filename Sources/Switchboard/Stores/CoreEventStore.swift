import Foundation

/// The durable outbox of events for an external core (CONTRACT.md §11, `router.mode = remote`).
///
/// Events of one conversation leave in the order they were queued: only a conversation's oldest undelivered
/// event is ever handed out, so the next waits for the previous one's 2xx while other conversations go on.
/// Handing out is a claim with a lease, so of several instances sharing the store each event is sent by one.
public protocol CoreEventStore: Sendable {
    /// Queues events in the given order; an id already queued keeps its first body.
    func enqueueCoreEvents(_ events: [CoreEvent]) async throws
    /// Claims up to `limit` events due at `now`, each the oldest undelivered event of its conversation and not
    /// claimed by anyone else, for `lease` seconds; oldest first.
    func claimCoreEvents(now: Date, limit: Int, lease: TimeInterval) async throws -> [CoreEvent]
    /// The core answered 2xx: the event is done and the conversation's next one becomes due — or, with
    /// `leaseEnd`, is claimed at once until then and returned, so that a sender goes on with the conversation
    /// without another round trip.
    func completeCoreEvent(id: String, claimingNextUntil leaseEnd: Date?) async throws -> CoreEvent?
    /// The core did not answer 2xx: released, tried again at `nextAttemptAt`.
    func retryCoreEvent(id: String, nextAttemptAt: Date, error: String) async throws
    /// Makes every waiting event due at `now` (the core is back after an outage: the backlog goes at once).
    func expediteCoreEvents(now: Date) async throws
    /// The earliest time a queued event becomes due (its retry time, or its lease's end), for the sender's sleep.
    func nextCoreEventAttempt() async throws -> Date?
    /// How many events wait for the core (the `switchboard_core_outbox_depth` gauge).
    func coreEventDepth() async throws -> Int
}

/// One event for the external core (§11), as queued in ``CoreEventStore``.
public struct CoreEvent: Sendable, Equatable {
    /// Stable across retries: the event's `webhook-id`.
    public var id: String
    /// Events of one conversation are delivered in order.
    public var conversationID: String
    /// `notification.request`, `message.received`, … (the metric's `type` label).
    public var type: String
    /// The JSON body, exactly as it is signed and sent.
    public var body: String
    public var createdAt: Date
    /// Attempts made so far.
    public var attempts: Int
    public var lastError: String?

    public init(
        id: String, conversationID: String, type: String, body: String, createdAt: Date, attempts: Int = 0,
        lastError: String? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.type = type
        self.body = body
        self.createdAt = createdAt
        self.attempts = attempts
        self.lastError = lastError
    }
}

/// Renders the events an inbound message produces (`message.received`, then `notification.request` when it
/// opened its conversation), so that the store writes them in the message's own transaction: a message the
/// gateway stored is never missing from the core's stream, whatever crashes after the commit.
public struct InboundCoreEvents: Sendable {
    public let render: @Sendable (_ conversation: Conversation, _ message: Message, _ opened: Bool) -> [CoreEvent]
    /// The local sender, when it takes the message's first event straight from the transaction (see
    /// ``CoreEventHandOff``); `nil`, or a store that does not hand off, leaves every event to the sender's claim.
    public let handOff: (any CoreEventHandOff)?

    public init(
        render: @escaping @Sendable (Conversation, Message, Bool) -> [CoreEvent], handOff: (any CoreEventHandOff)? = nil
    ) {
        self.render = render
        self.handOff = handOff
    }
}

/// A sender that takes an inbound message's first core event from the store as the message is written: the
/// message's own transaction claims the event (when it is its conversation's oldest) until the lease end that
/// ``reserve()`` gave, and after the commit ``take(_:)`` hands it over. The event then goes out without a claim of
/// its own (a write transaction, a round trip of the writer after every message); it is claimed in the database
/// all the same, so another instance leaves it alone and a crash leaves it due when the lease ends.
///
/// Both stores hand off (``InboundRecord/withCoreEventClaim(_:)``): SQLite in the message's transaction,
/// PostgreSQL in its inbound batch's (or the message's own, when it runs alone).
public protocol CoreEventHandOff: Sendable {
    /// The lease end for an event claimed now, with room kept for it until ``take(_:)``; `nil` when the sender has
    /// no room (or does not run): the store then claims nothing.
    func reserve() -> Date?
    /// Called once after every successful ``reserve()``, when the transaction has ended: the event it claimed, or
    /// `nil` (none: the message was a duplicate, its conversation has older events waiting, the transaction failed).
    func take(_ event: CoreEvent?)
}

/// The event an inbound message's transaction claimed for the local sender: the store sets ``event`` inside the
/// transaction (and clears it when the transaction runs again), the caller reads it after the commit.
/// `@unchecked Sendable`: written by the one transaction that runs at a time, read after it resumed the caller.
public final class CoreEventClaim: @unchecked Sendable {
    public let leaseEnd: Date
    public var event: CoreEvent?

    public init(leaseEnd: Date) { self.leaseEnd = leaseEnd }
}

extension InboundRecord {
    /// Runs `write`, a store's transaction for this record, with a ``CoreEventClaim`` when the record's core events
    /// go to a local sender with room (``CoreEventHandOff/reserve()``), and hands the claimed event over once it
    /// ended: the event, or `nil` when it claimed none or failed.
    public func withCoreEventClaim<T>(_ write: (CoreEventClaim?) async throws -> T) async throws -> T {
        guard let handOff = coreEvents?.handOff, let leaseEnd = handOff.reserve() else { return try await write(nil) }
        let claim = CoreEventClaim(leaseEnd: leaseEnd)
        do {
            let result = try await write(claim)
            handOff.take(claim.event)
            return result
        } catch {
            handOff.take(nil)
            throw error
        }
    }
}

extension CoreEventStore {
    /// ``completeCoreEvent(id:claimingNextUntil:)`` that leaves the next event to whoever claims first.
    public func completeCoreEvent(id: String) async throws {
        _ = try await completeCoreEvent(id: id, claimingNextUntil: nil)
    }
}
