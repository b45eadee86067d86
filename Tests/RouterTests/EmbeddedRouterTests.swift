import DomainFakes
import Foundation
import Router
import Switchboard
import Testing

@Suite("EmbeddedRouter runtime")
struct EmbeddedRouterTests {
    static func makeRouter(
        alertTimeoutSeconds: Double = 120, store: AssignmentRecorder, sink: RecordingSink,
        clock: any WallClock = SystemWallClock()
    ) -> EmbeddedRouter {
        let configuration = Configuration(
            channels: [.init(id: "twilio-main", provider: "twilio")],
            agents: [.init(id: "alice"), .init(id: "bob"), .init(id: "sam", role: .supervisor)],
            notifications: .init(alertTimeoutSeconds: alertTimeoutSeconds))
        return EmbeddedRouter(
            configuration: configuration, store: store, events: sink, clock: clock,
            makeNotificationID: { "n\($0)" })
    }

    /// The alert timer runs on the router's clock: nothing before the timeout, the next agent at it.
    @Test func alertTimerFiresAndTheItemGoesToTheNextAgent() async throws {
        let store = AssignmentRecorder()
        let sink = RecordingSink()
        let clock = ManualClock()
        let router = Self.makeRouter(alertTimeoutSeconds: 90, store: store, sink: sink, clock: clock)
        await router.agentConnected("alice")
        await router.agentConnected("bob")
        await router.notify(RouterHarness.request("c1", at: clock.now()))
        #expect(await router.pendingNotificationAgent(conversationID: "c1") == "alice")
        #expect(await clock.waitForSleepers(1), "the alert timer is not waiting on the router's clock")

        clock.advance(by: .seconds(89))
        #expect(clock.sleeperCount == 1)
        #expect(await router.pendingNotificationAgent(conversationID: "c1") == "alice")
        clock.advance(by: .seconds(1))
        let offerToBob = await sink.waitFor("bob") {
            if case .notification(let n) = $0 { n.conversationId == "c1" } else { false }
        }
        #expect(offerToBob != nil, "the 90 s alert timer did not fire when the clock reached it")
        #expect(await sink.events(to: "alice").contains(.notificationClosed(id: "n1", outcome: .timedOut)))
        #expect(await router.agent(id: "alice")?.presence == .inactive)
        #expect(await router.offers(conversationID: "c1").map(\.outcome) == [.timedOut, nil])
        #expect(await router.decisions(conversationID: "c1").map(\.kind).contains(.timedOut))
        await router.shutdown()
    }

    /// Alerts pending together wait on one sleeping task, not one each, and those due together time out in the
    /// same turn of the clock.
    @Test func alertsDueTogetherShareOneWakeUp() async throws {
        let store = AssignmentRecorder()
        let sink = RecordingSink()
        let clock = ManualClock()
        let router = Self.makeRouter(alertTimeoutSeconds: 60, store: store, sink: sink, clock: clock)
        await router.agentConnected("alice")
        await router.agentConnected("bob")
        for index in 1...3 { await router.notify(RouterHarness.request("c\(index)", at: clock.now())) }
        #expect(await clock.waitForSleepers(1))
        #expect(clock.sleeperCount == 1, "one wake-up for the three alerts")

        let offered =
            await router.pendingNotifications(agentID: "alice").count
            + router.pendingNotifications(agentID: "bob").count
        clock.advance(by: .seconds(60))
        var timedOut = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while timedOut < offered, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            timedOut = 0
            for index in 1...3 where await router.offers(conversationID: "c\(index)").first?.outcome == .timedOut {
                timedOut += 1
            }
        }
        #expect(offered >= 2)
        #expect(timedOut == offered, "\(timedOut) of \(offered) alerts timed out")
        await router.shutdown()
    }

    /// More alerts due at once than fire in one turn of the router: every one times out, turn after turn.
    @Test func aStormOfTimeoutsFiresEveryOne() async throws {
        let count = 2 * EmbeddedRouter.timersPerTurn + 3
        let clock = ManualClock()
        let configuration = Configuration(
            channels: [.init(id: "twilio-main", provider: "twilio")],
            agents: (0..<count).map { .init(id: "a\($0)") },
            notifications: .init(alertTimeoutSeconds: 30))
        let router = EmbeddedRouter(
            configuration: configuration, store: AssignmentRecorder(), events: RecordingSink(), clock: clock,
            makeNotificationID: { "n\($0)" })
        for index in 0..<count { await router.agentConnected("a\(index)") }
        for index in 0..<count { await router.notify(RouterHarness.request("c\(index)", at: clock.now())) }
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(30))
        var timedOut = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while timedOut < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            timedOut = 0
            for index in 0..<count where await router.offers(conversationID: "c\(index)").first?.outcome == .timedOut {
                timedOut += 1
            }
        }
        #expect(timedOut == count, "\(timedOut) of \(count) first alerts timed out")
        await router.shutdown()
    }

    @Test func acceptAnswersAfterTheAssignmentIsStored() async throws {
        let store = AssignmentRecorder()
        let sink = RecordingSink()
        let router = Self.makeRouter(store: store, sink: sink)
        await router.agentConnected("alice")
        await router.notify(RouterHarness.request("c1", at: Date()))
        let id = try #require(await router.pendingNotifications(agentID: "alice").first?.id)

        await #expect(throws: SwitchboardError.forbidden("notification \(id) was sent to another agent")) {
            try await router.accept(notificationID: id, by: .agent("bob"))
        }
        let answer = try await router.accept(notificationID: id, by: .agent("alice"))
        #expect(answer == NotificationAnswer(id: id, outcome: .accepted, conversationId: "c1"))
        #expect(await store.assignments["c1"] == .some("alice"))
        // Events reach the agent in decision order, already published when accept answered.
        let types = await sink.events(to: "alice").map(\.type)
        #expect(types == ["presence", "notification", "notification.closed", "presence"])
        #expect(await sink.events(to: "sam").count == 2)  // alice's two presence changes

        do {
            _ = try await router.accept(notificationID: id, by: .agent("alice"))
            Issue.record("a second accept succeeded")
        } catch {
            #expect(error.status == 409 && error.code == "not-pending")
        }
        await router.shutdown()
    }
}
