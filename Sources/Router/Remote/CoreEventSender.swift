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
public final class CoreEventSender: Sendable {
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
        var inFlight = 0
        var failuresInARow = 0
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

    /// Sends until the task is cancelled; events in flight then finish.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let free = maxInFlight - state.withLock { $0.inFlight }
                let claimed = free > 0 ? await claim(free) : []
                for event in claimed {
                    state.withLock { $0.inFlight += 1 }
                    group.addTask {
                        // A delivered event hands over its conversation's next one, already claimed.
                        var next: CoreEvent? = event
                        while let event = next, !Task.isCancelled { next = await self.deliver(event) }
                        if let unsent = next { await self.handBack(unsent) }
                        self.state.withLock { $0.inFlight -= 1 }
                        self.wakeSignal.signal()
                    }
                }
                if claimed.count == free && free > 0 { continue }
                await wakeSignal.wait(timeout: await idleWait())
            }
        }
    }

    private func claim(_ limit: Int) async -> [CoreEvent] {
        do {
            return try await store.claimCoreEvents(now: clock.now(), limit: limit, lease: lease)
        } catch {
            logger.warning("remote core: cannot read the event outbox: \(error)")
            return []
        }
    }

    /// Until the next event is due, at most ``idlePoll``.
    private func idleWait() async -> Duration {
        let poll = Double(idlePoll.components.seconds) + Double(idlePoll.components.attoseconds) * 1e-18
        guard let next = try? await store.nextCoreEventAttempt() else { return idlePoll }
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
