import Curl
import Foundation
import Logging
import Switchboard
import Synchronization

/// POSTs the core events of ``CoreEventStore`` to `router.url` (CONTRACT.md §11): each signed per Standard
/// Webhooks with `router.secret` (`webhook-id` = the event's id on every attempt), at least once, retried with
/// backoff capped at 60 s until the core answers 2xx.
///
/// Up to ``maxInFlight`` events are on the wire at once, each the head of its conversation (the store hands out
/// nothing else), claimed for ``lease`` seconds so that other instances sharing the store leave it alone. After
/// an outage (several failures in a row, then a 2xx) the whole backlog is made due at once.
///
/// An inbound message's first event usually comes straight from the message's transaction, already claimed
/// (``CoreEventHandOff``); the sender claims in a transaction of its own only when a read says something is due.
public final class CoreEventSender: CoreEventHandOff, Sendable {
    let url: String
    let signer: StandardWebhookSigner
    let store: any CoreEventStore
    let client: CurlClient
    let clock: any WallClock
    let metrics: Metrics
    let logger: Logger
    let retryPolicy = RetryPolicy(baseDelay: 1, maxDelay: 60)
    /// The longest wait before an event is tried again, whatever the core's `Retry-After` says.
    static let maxRetryDelay: Double = 60
    /// Events on the wire at once.
    let maxInFlight: Int
    /// Seconds a claimed event is left to this sender; longer than a request can take.
    let lease: TimeInterval = 60
    /// How often to look for events another instance queued (it wakes only its own sender).
    let idlePoll: Duration
    private let wakeSignal = WakeSignal()
    private struct State {
        /// Events on the wire, and the room reserved for events handed off (``reserve()``).
        var inFlight = 0
        var failuresInARow = 0
        /// ``run()`` is on: only then does ``reserve()`` keep room.
        var running = false
        /// Handed off (``take(_:)``), not yet started.
        var handed: [CoreEvent] = []
    }
    private let state = Mutex(State())

    public init(
        url: String, secret: String, store: any CoreEventStore, client: CurlClient, clock: any WallClock,
        metrics: Metrics, logger: Logger, maxInFlight: Int = 64, idlePoll: Duration = .seconds(1)
    ) {
        self.url = url
        signer = StandardWebhookSigner(secret: secret)
        self.store = store
        self.client = client
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.maxInFlight = maxInFlight
        self.idlePoll = idlePoll
    }

    /// New events were queued: look at once.
    public func wake() { wakeSignal.signal() }

    /// Sends until the task is cancelled; events in flight then finish, and events handed off but not started are
    /// handed back.
    public func run() async {
        state.withLock { $0.running = true }
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let handed = state.withLock { state in
                    defer { state.handed.removeAll() }
                    return state.handed
                }
                for event in handed { group.addTask { await self.send(event) } }
                let free = maxInFlight - state.withLock { $0.inFlight }
                guard free > 0 else {
                    await wakeSignal.wait(timeout: idlePoll)
                    continue
                }
                // A read first: after a handed-off event nothing is due, and a claim is a write transaction.
                let next = await nextAttempt()
                if let next, next <= clock.now() {
                    let claimed = await claim(free)
                    for event in claimed {
                        state.withLock { $0.inFlight += 1 }
                        group.addTask { await self.send(event) }
                    }
                    if !claimed.isEmpty { continue }
                }
                await wakeSignal.wait(timeout: idleWait(until: next))
            }
        }
        let unsent = state.withLock { state in
            state.running = false
            state.inFlight -= state.handed.count
            defer { state.handed.removeAll() }
            return state.handed
        }
        for event in unsent { await handBack(event) }
    }

    /// Sends `event` and, as each is delivered, its conversation's next one (claimed by the completion).
    private func send(_ event: CoreEvent) async {
        var next: CoreEvent? = event
        while let event = next, !Task.isCancelled { next = await deliver(event) }
        if let unsent = next { await handBack(unsent) }
        state.withLock { $0.inFlight -= 1 }
        wakeSignal.signal()
    }

    /// Hand-offs take at most this many of the ``maxInFlight`` places, so that events waiting in the queue
    /// (retries, status changes, a conversation's later events) always get some under a steady inbound load.
    var handOffLimit: Int { maxInFlight - maxInFlight / 4 }

    public func reserve() -> Date? {
        let reserved = state.withLock { state in
            guard state.running, state.inFlight < handOffLimit else { return false }
            state.inFlight += 1
            return true
        }
        return reserved ? clock.now().addingTimeInterval(lease) : nil
    }

    public func take(_ event: CoreEvent?) {
        let unsent: CoreEvent? = state.withLock { state in
            guard let event, state.running else {
                state.inFlight -= 1
                return event
            }
            state.handed.append(event)
            return nil
        }
        // Stopped since the reservation: due again at once for the next sender, as a claim left unsent.
        if let unsent { Task { await handBack(unsent) } }
        wakeSignal.signal()
    }

    private func claim(_ limit: Int) async -> [CoreEvent] {
        do {
            return try await store.claimCoreEvents(now: clock.now(), limit: limit, lease: lease)
        } catch {
            logger.warning("remote core: cannot read the event outbox: \(error)")
            return []
        }
    }

    /// When the next event is due; now when the store cannot say (the claim then reports the problem).
    private func nextAttempt() async -> Date? {
        do {
            return try await store.nextCoreEventAttempt()
        } catch {
            return clock.now()
        }
    }

    /// Until `next` is due, at most ``idlePoll``.
    private func idleWait(until next: Date?) -> Duration {
        let poll = Double(idlePoll.components.seconds) + Double(idlePoll.components.attoseconds) * 1e-18
        guard let next else { return idlePoll }
        let seconds = max(0.001, min(poll, next.timeIntervalSince(clock.now())))
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The sender stopped (shutdown) holding a claimed event it did not send: due again at once, for the next
    /// sender (a restart, another instance), instead of leased for ``lease`` seconds to one that is gone — its
    /// conversation's events waited a minute after every restart that caught a claim in flight. Recorded as an
    /// attempt, with why. Written from a task of its own: the stopping sender's is cancelled, and a cancelled task
    /// may not reach the database.
    private func handBack(_ event: CoreEvent) async {
        await Task { [store, clock, logger] in
            do {
                try await store.retryCoreEvent(
                    id: event.id, nextAttemptAt: clock.now(), error: "not sent: the sender stopped after claiming it")
            } catch {
                logger.warning("remote core: \(event.id) stays claimed until its lease ends (\(error))")
            }
        }.value
    }

    /// One attempt: 2xx completes the event (and returns its conversation's next one, claimed for this sender),
    /// anything else schedules the next attempt.
    func deliver(_ event: CoreEvent) async -> CoreEvent? {
        let body = Array(event.body.utf8)
        let request = CurlRequest(
            method: "POST", url: url,
            headers: [(name: "Content-Type", value: "application/json")]
                + signer.headers(id: event.id, timestamp: Int(clock.now().timeIntervalSince1970), body: body),
            body: body, timeout: 30)
        let problem: String
        var retryAfter: Double?
        do {
            let response = try await client.execute(request)
            if (200..<300).contains(response.status) { return await delivered(event) }
            retryAfter = response.header("Retry-After").flatMap(Double.init)
            problem = "the core answered HTTP \(response.status)"
            if (400..<500).contains(response.status), response.status != 408, response.status != 429 {
                // Retried all the same: a core's bug must not drop a customer's message.
                logger.error(
                    "remote core: the core refused \(event.type) \(event.id) with HTTP \(response.status); a bug in the core? retrying it anyway"
                )
            }
        } catch {
            problem = "the core is unreachable: \(error.message)"
        }
        await failed(event, problem: problem, retryAfter: retryAfter)
        return nil
    }

    private func delivered(_ event: CoreEvent) async -> CoreEvent? {
        metrics.increment("switchboard_core_events_total", ["type": event.type, "outcome": "delivered"])
        var next: CoreEvent?
        do {
            next = try await store.completeCoreEvent(
                id: event.id, claimingNextUntil: Task.isCancelled ? nil : clock.now().addingTimeInterval(lease))
        } catch {
            // The lease runs out and the event goes again: at least once.
            logger.warning("remote core: \(event.id) was delivered but cannot be marked so: \(error)")
        }
        let wasDown = state.withLock { state in
            defer { state.failuresInARow = 0 }
            return state.failuresInARow >= 3
        }
        if wasDown {
            logger.info("remote core: the core answers again; sending the backlog now")
            try? await store.expediteCoreEvents(now: clock.now())
        }
        return next
    }

    private func failed(_ event: CoreEvent, problem: String, retryAfter: Double?) async {
        metrics.increment("switchboard_core_events_total", ["type": event.type, "outcome": "retry"])
        state.withLock { $0.failuresInARow += 1 }
        let delay = min(
            Self.maxRetryDelay, retryPolicy.delay(afterAttempts: event.attempts + 1, retryAfter: retryAfter))
        logger.warning(
            "remote core: \(event.type) \(event.id) not delivered (\(problem)); attempt \(event.attempts + 1), next in \(Int(delay.rounded())) s"
        )
        do {
            try await store.retryCoreEvent(
                id: event.id, nextAttemptAt: clock.now().addingTimeInterval(delay), error: problem)
        } catch {
            logger.warning("remote core: cannot schedule the retry of \(event.id) (its lease ends it): \(error)")
        }
    }
}
