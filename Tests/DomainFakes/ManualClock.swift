import Foundation
import Switchboard
import Synchronization

/// One clock for a test: the wall clock the domain stamps and sleeps on (``WallClock``), and, as ``timers``, the
/// `Clock` the router's timers sleep on. Time moves only when the test calls ``advance(by:)``, which resumes every
/// sleeper whose deadline it passed, so a test of a timeout or a rate limit checks logic, not the machine's speed.
public final class ManualClock: WallClock, Sendable {
    public struct Instant: InstantProtocol {
        /// Time since the clock was made.
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Int: Sleeper] = [:]
        var nextSleeper = 0
    }

    private let state = Mutex(State())
    /// The wall-clock time at offset zero.
    public let epoch: Date

    public init(epoch: Date = Date(timeIntervalSince1970: 1_780_000_000)) {
        self.epoch = epoch
    }

    public var instant: Instant { state.withLock { $0.now } }

    public func now() -> Date {
        let (seconds, attoseconds) = instant.offset.components
        return epoch.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(for duration: Duration) async throws {
        try await sleep(until: instant.advanced(by: duration))
    }

    /// Sleeps until `deadline` of this clock's time (now or earlier: returns at once).
    public func sleep(until deadline: Instant) async throws {
        let id = state.withLock { state in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let due = state.withLock { state -> Bool in
                    if Task.isCancelled || deadline <= state.now { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if due {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come, earliest first.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Waits (in real time, bounded) until `count` tasks sleep on this clock: a test advances time once the code
    /// under test has reached its wait.
    public func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
        await waitUntil(timeout: timeout) { self.sleeperCount >= count }
    }

    /// This clock's time as a `Clock`, for what sleeps on one (the embedded router's timers).
    public var timers: Timers { Timers(clock: self) }

    public struct Timers: Clock {
        public let clock: ManualClock
        public var now: Instant { clock.instant }
        public var minimumResolution: Duration { .nanoseconds(1) }
        public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
            try await clock.sleep(until: deadline)
        }
    }
}

/// Polls, in real time and bounded (generous, since a loaded machine only slows it), until `condition` holds:
/// how a test waits for the code under test to reach a manual clock's sleep before it moves time.
public func waitUntil(timeout: Duration = .seconds(60), _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return false
}
