import Foundation
import Testing

@testable import Router

@Suite("TimerQueue")
struct TimerQueueTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func alert(_ n: Int) -> RoutingTimerID { .alertTimeout(notificationID: "n\(n)") }

    func drain(_ queue: inout TimerQueue, at now: Date) -> [RoutingTimerID] {
        var fired: [RoutingTimerID] = []
        while let id = queue.popDue(at: now) { fired.append(id) }
        return fired
    }

    @Test func firesByDeadlineThenBySchedulingOrder() {
        var queue = TimerQueue()
        queue.schedule(alert(1), at: t0 + 30)
        queue.schedule(alert(2), at: t0 + 10)
        queue.schedule(alert(3), at: t0 + 20)
        queue.schedule(alert(4), at: t0 + 10)
        #expect(queue.nextDeadline == t0 + 10)
        #expect(drain(&queue, at: t0 + 9).isEmpty)
        #expect(drain(&queue, at: t0 + 20) == [alert(2), alert(4), alert(3)])
        #expect(queue.count == 1)
        #expect(queue.nextDeadline == t0 + 30)
    }

    @Test func aCancelledTimerNeverFires() {
        var queue = TimerQueue()
        queue.schedule(alert(1), at: t0 + 10)
        queue.schedule(alert(2), at: t0 + 20)
        queue.cancel(alert(1))
        #expect(queue.count == 1)
        #expect(queue.nextDeadline == t0 + 20)
        #expect(drain(&queue, at: t0 + 60) == [alert(2)])
        #expect(queue.nextDeadline == nil)
    }

    @Test func reschedulingReplacesTheEarlierDeadline() {
        var queue = TimerQueue()
        queue.schedule(.disconnectGrace(agentID: "alice"), at: t0 + 10)
        queue.schedule(.disconnectGrace(agentID: "alice"), at: t0 + 40)
        #expect(drain(&queue, at: t0 + 30).isEmpty)
        #expect(drain(&queue, at: t0 + 40) == [.disconnectGrace(agentID: "alice")])
    }

    /// Cancelled entries stay in the heap until they come up; many cancellations compact it, and what is live
    /// still fires, in order.
    @Test func manyCancellationsKeepTheLiveTimersInOrder() {
        var queue = TimerQueue()
        for n in 0..<10_000 {
            queue.schedule(alert(n), at: t0 + Double(n % 100))
            if n % 10 != 0 { queue.cancel(alert(n)) }
        }
        #expect(queue.count == 1_000)
        let fired = drain(&queue, at: t0 + 100)
        #expect(fired.count == 1_000)
        #expect(Set(fired) == Set((0..<1_000).map { alert($0 * 10) }))
        let deadlines = fired.map { id -> Int in
            guard case .alertTimeout(let name) = id else { return -1 }
            return Int(name.dropFirst())! % 100
        }
        #expect(deadlines == deadlines.sorted())
    }
}
