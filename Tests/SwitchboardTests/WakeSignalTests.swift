import Switchboard
import Testing

/// Bounds are loose on purpose: the parallel suite can starve a test's tasks for tens of seconds. A wait that
/// should end early waits up to 10 minutes otherwise, so a lost wake-up fails on the suite's time limit.
@Suite("WakeSignal", .timeLimit(.minutes(2)))
struct WakeSignalTests {
    @Test func aSignalSentWhileNobodyWaitsEndsTheNextWaitAtOnce() async {
        let signal = WakeSignal()
        signal.signal()
        let started = ContinuousClock.now
        await signal.wait(timeout: .seconds(600))
        #expect(ContinuousClock.now - started < .seconds(100))
    }

    @Test func aSignalWakesAWaitingTask() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        async let waited: Void = signal.wait(timeout: .seconds(600))
        try? await Task.sleep(for: .milliseconds(50))
        signal.signal()
        await waited
        #expect(ContinuousClock.now - started < .seconds(100))
    }

    @Test func theTimeoutEndsAWaitNobodySignals() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        await signal.wait(timeout: .milliseconds(100))
        #expect(ContinuousClock.now - started >= .milliseconds(100))
    }

    /// The loop of the outbox worker, the decision writer and the core sender: after one early wake-up, the
    /// following waits last their timeout. (A cancelled timeout used to count as a signal, so each wait ended
    /// the next at once and the loop spun.)
    @Test func afterAnEarlyWakeUpTheNextWaitsLastTheirTimeout() async {
        let signal = WakeSignal()
        signal.signal()
        await signal.wait(timeout: .seconds(600))
        let started = ContinuousClock.now
        var waits = 0
        while ContinuousClock.now - started < .milliseconds(500) {
            await signal.wait(timeout: .milliseconds(100))
            waits += 1
        }
        #expect(waits <= 6, "\(waits) waits of 100 ms in 500 ms")
    }

    @Test func cancellationEndsTheWaitWithoutWakingTheNext() async {
        let signal = WakeSignal()
        let waiter = Task { await signal.wait(timeout: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await waiter.value
        let started = ContinuousClock.now
        await signal.wait(timeout: .milliseconds(200))
        #expect(ContinuousClock.now - started >= .milliseconds(200))
    }

    @Test func anAlreadyCancelledTaskDoesNotWait() async {
        let signal = WakeSignal()
        let started = ContinuousClock.now
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await signal.wait(timeout: .seconds(600))
        }
        await waiter.value
        #expect(ContinuousClock.now - started < .seconds(100))
    }
}
