import Foundation
import Router
import Switchboard
import Testing

@Suite("Presence, sign-in and sign-out")
struct PresenceTests {
    static let team: [Configuration.Agent] = [
        .init(id: "alice"), .init(id: "bob"), .init(id: "sam", role: .supervisor),
    ]

    @Test func agentsAreOfflineUntilTheirStreamOpens() throws {
        var router = RouterHarness(agents: Self.team)
        let before = try #require(router.machine.snapshot(agentID: "alice"))
        #expect(!before.signedIn && before.presence == .offline)

        let effects = router.connect("alice")
        let presence = try #require(effects.presences(to: "alice").last)
        #expect(presence == Presence(status: .available, setBy: .system, reason: "load", since: router.now))
        #expect(effects.events(to: "sam") == [.presence(agentID: "alice", presence)])
        #expect(router.machine.snapshot(agentID: "alice")?.signedIn == true)
    }

    @Test func agentSetsItsPresence() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        for status in [PresenceStatus.busy, .dnd, .away, .offline, .available] {
            let snapshot = try router.setPresence("alice", status, by: .agent("alice")).get()
            #expect(snapshot.presence == status && snapshot.presenceSetBy == .agent && snapshot.presenceReason == nil)
            #expect(router.effects.presences(to: "alice").map(\.status) == [status])
            #expect(router.effects.events(to: "sam").count == 1)
        }
    }

    @Test func inactiveCannotBeSetByAnyone() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        for actor in [RouterActor.agent("alice"), .supervisor("sam"), .admin] {
            let error = router.setPresence("alice", .inactive, by: actor).error
            #expect(error?.status == 400 && error?.code == "invalid-request" && error?.field == "status")
        }
        #expect(router.machine.presence(agentID: "alice")?.status == .available)
    }

    @Test func anAgentMayNotSetAnotherAgentsPresence() {
        var router = RouterHarness(agents: Self.team)
        #expect(router.setPresence("alice", .away, by: .agent("bob")).error?.status == 403)
        #expect(router.setPresence("nobody", .away, by: .admin).error?.status == 404)
        #expect(router.setPresence("alice", .away, by: .supervisor("sam")).value?.presenceSetBy == .supervisor)
    }

    @Test func settingAvailableOffersWaitingWork() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.setPresence("alice", .away, by: .agent("alice"))
        router.notify("c1")
        #expect(router.machine.waitingReason(conversationID: "c1")?.contains("alice away since") == true)
        router.setPresence("alice", .available, by: .agent("alice"))
        #expect(router.effects.alerts(to: "alice").map(\.conversationId) == ["c1"])
    }

    @Test func supervisorResetsAMissedAgentToTheSystemComputedStatus() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.notify("c1")
        router.timeOut("n1")  // alice inactive, banner n2; c1 waits
        #expect(router.machine.waitingReason(conversationID: "c1")?.contains("(missed notification)") == true)

        #expect(router.resetPresence("alice", by: .agent("alice")).error?.status == 403)
        let snapshot = try router.resetPresence("alice", by: .supervisor("sam")).get()
        #expect(snapshot.presence == .available && snapshot.presenceSetBy == .supervisor)
        #expect(snapshot.presenceReason == "reset")
        #expect(router.effects.closings(to: "alice").contains(.init(id: "n2", outcome: .withdrawn)))
        // Eligible again: the waiting conversation is offered (a third time is allowed by default).
        #expect(router.effects.alerts(to: "alice").map(\.conversationId) == ["c1"])
        #expect(router.resetPresence("nobody", by: .admin).error?.status == 404)
    }

    @Test func settingPresenceWithdrawsBanners() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.notify("c1")
        router.reject("n1", by: .agent("alice"))  // dnd, banner n2
        router.setPresence("alice", .away, by: .agent("alice"))
        #expect(router.effects.closings(to: "alice") == [.init(id: "n2", outcome: .withdrawn)])
        #expect(router.machine.pendingNotifications(agentID: "alice").isEmpty)
    }

    @Test func closingTheLastStreamSignsOutAfterTheGracePeriod() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.notify("c1")  // to alice
        let disconnect = router.step { $0.agentDisconnected("alice", now: $1) }
        #expect(disconnect == [.scheduleTimer(.disconnectGrace(agentID: "alice"), at: router.now + 30)])
        #expect(router.machine.snapshot(agentID: "alice")?.signedIn == true)

        router.advance(30)
        let effects = router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }
        #expect(effects.closings(to: "alice") == [.init(id: "n1", outcome: .withdrawn)])
        #expect(effects.contains(.cancelTimer(.alertTimeout(notificationID: "n1"))))
        let presence = try #require(effects.presences(to: "alice").last)
        #expect(presence.status == .offline && presence.setBy == .system && presence.reason == "disconnected")
        #expect(effects.alerts(to: "bob").map(\.conversationId) == ["c1"])
        #expect(router.machine.snapshot(agentID: "alice")?.signedIn == false)
    }

    @Test func aStreamReopeningWithinGraceKeepsTheAgentSignedIn() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.connect("alice")  // a second tab
        #expect(router.step { $0.agentDisconnected("alice", now: $1) }.isEmpty)
        router.step { $0.agentDisconnected("alice", now: $1) }
        router.advance(10)
        #expect(router.connect("alice").contains(.cancelTimer(.disconnectGrace(agentID: "alice"))))
        // The grace timer firing late (the runtime lost the race) changes nothing.
        router.advance(20)
        #expect(router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }.isEmpty)
        #expect(router.machine.snapshot(agentID: "alice")?.signedIn == true)
    }

    @Test func signingInWithinTheReconnectWindowRestoresPresence() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.setPresence("alice", .away, by: .agent("alice"))
        router.step { $0.agentDisconnected("alice", now: $1) }
        router.advance(30)
        router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }
        #expect(router.machine.presence(agentID: "alice")?.status == .offline)

        router.advance(100)  // 130 s after the disconnect
        router.connect("alice")
        #expect(router.machine.presence(agentID: "alice")?.status == .away)
        #expect(router.machine.presence(agentID: "alice")?.setBy == .agent)
    }

    @Test func signingInAfterTheReconnectWindowComputesPresence() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.setPresence("alice", .away, by: .agent("alice"))
        router.step { $0.agentDisconnected("alice", now: $1) }
        router.advance(30)
        router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }
        router.advance(121)  // 151 s after the disconnect
        router.connect("alice")
        let presence = router.machine.presence(agentID: "alice")
        #expect(presence?.status == .available && presence?.setBy == .system && presence?.reason == "load")
    }

    @Test func supervisorsAreNeverOfferedWork() {
        var router = RouterHarness(agents: [.init(id: "sam", role: .supervisor)])
        router.connect("sam")
        #expect(router.notify("c1").alerts(to: "sam").isEmpty)
        #expect(router.machine.waitingReason(conversationID: "c1") == "no agent serves queue default")
    }
}
