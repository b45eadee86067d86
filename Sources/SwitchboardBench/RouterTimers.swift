import Foundation
import Router
import Storage
import Switchboard

/// Line 5b: how late alert timeouts fire through `EmbeddedRouter` (real time) with `alerts` alerts pending at
/// the peak: `agents` agents each holding `alerts / agents` alerts, every alert timing out `timeoutSeconds` after
/// it was offered, and each timeout offering its item to another agent.
/// Lateness = when `notification.closed` (timed out) was published − the alert's `expiresAt`.
///
/// ``Deadlines/spread``: offers arrive at a steady rate (`alerts / timeoutSeconds` per second), so deadlines
/// are spread as a real load spreads them and the last offer meets the first timeout. ``Deadlines/allAtOnce``:
/// the worst case — the clock stands still while every alert is offered, so all of them expire at once.
struct RouterTimers {
    enum Deadlines: String {
        case spread
        case allAtOnce = "all at once"
    }

    var agents = 10_000
    var alerts = 100_000
    var timeoutSeconds = 20.0
    var deadlines = Deadlines.spread

    struct Report {
        var lateness: Samples
        var fired: Int
        /// Alerts pending when the last was offered (all of them unless some fired while offering).
        var pendingAtPeak: Int
        var offerSeconds: Double
    }

    func run(log: (String) -> Void = { _ in }) async throws -> Report {
        let directory = try makeScratchDirectory("timers")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("router.sqlite").path)
        let perAgent = (alerts + agents - 1) / agents
        let notifications = Configuration.NotificationSettings(
            alertTimeoutSeconds: timeoutSeconds, missedNotificationSetsInactive: false, maxSessions: perAgent,
            maxPendingAlerts: perAgent, maxOffersPerAgent: 1)
        let configuration = Configuration(
            channels: [.init(id: "sms", provider: .twilio)],
            agents: (0..<agents).map { .init(id: "a\($0)", capacity: 1_000_000, queues: ["default"]) },
            notifications: notifications)
        let sink = TimeoutSink()
        let clock = HeldClock()
        let router = EmbeddedRouter(configuration: configuration, store: store, events: sink, clock: clock)
        for agent in configuration.agents { await router.agentConnected(agent.id) }
        log(
            "timers: \(agents) agents connected; \(await router.agents().filter { $0.presence == .available }.count) available"
        )

        let offerStart = ContinuousClock.now
        if deadlines == .allAtOnce { clock.hold() }
        let rate = Double(alerts) / timeoutSeconds
        for index in 0..<alerts {
            if deadlines == .spread, index % 100 == 0 {
                let due = offerStart + .seconds(Double(index) / rate)
                if due > ContinuousClock.now { try await Task.sleep(until: due) }
            }
            await router.notify(
                NotificationRequest(
                    scenario: .incomingSMS, conversationID: "c\(index)", channelID: "sms", medium: .sms,
                    queue: "default",
                    customer: NotificationCustomer(
                        phone: "+1415555\(String(format: "%04d", index % 10_000))",
                        match: ContactMatch(count: 0, contact: nil, candidateIDs: [])),
                    priority: 0, createdAt: Date()))
            if index % 50_000 == 49_999 {
                log(
                    String(
                        format: "timers: %d offered in %.1f s, %d timeouts so far", index + 1,
                        (ContinuousClock.now - offerStart).seconds, sink.firstRoundFired))
            }
        }
        let offerSeconds = (ContinuousClock.now - offerStart).seconds
        clock.release()
        let (offered, firedSoFar) = sink.counts
        let pendingAtPeak = offered - firedSoFar
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds + 60)
        while sink.firstRoundFired < offered, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        await router.shutdown()
        return Report(
            lateness: Samples(sink.lateness), fired: sink.firstRoundFired, pendingAtPeak: pendingAtPeak,
            offerSeconds: offerSeconds)
    }
}

/// Records each alert's deadline and when its timeout was published (first-round alerts only: a timed-out item
/// is offered again, and those later alerts are not counted).
private final class TimeoutSink: AgentEventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var expiries: [String: Date] = [:]
    private var latenesses: [Double] = []
    private var recording = true

    func publish(_ event: AgentEvent, to agentID: String) async {
        let now = Date()
        lock.withLock {
            switch event {
            case .notification(let notification):
                if notification.kind == .alert, let expiresAt = notification.expiresAt, recording {
                    expiries[notification.id] = expiresAt
                }
            case .notificationClosed(let id, .timedOut):
                // Re-offers after the first timeout are not part of the measured set.
                recording = false
                if let expiresAt = expiries[id] { latenesses.append(now.timeIntervalSince(expiresAt)) }
            default:
                break
            }
        }
    }

    var counts: (offered: Int, fired: Int) { lock.withLock { (expiries.count, latenesses.count) } }
    var firstRoundFired: Int { lock.withLock { latenesses.count } }
    var lateness: [Double] { lock.withLock { latenesses } }
}

/// The system's wall clock, which can be held still: while held, `now()` answers the moment it was held (the
/// deadlines computed meanwhile are all the same); sleeping is always real.
private final class HeldClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var held: Date?

    func now() -> Date { lock.withLock { held ?? Date() } }
    func hold() { lock.withLock { held = Date() } }
    func release() { lock.withLock { held = nil } }
}
