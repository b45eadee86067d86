import Foundation
import Router
import Switchboard
import Testing

/// One test per rule of the seed (issue 5, item 3), each driven by the virtual clock.
@Suite("The seed's notification rules")
struct NotificationRuleTests {
    static let team: [Configuration.Agent] = [
        .init(id: "alice"), .init(id: "bob"), .init(id: "sam", role: .supervisor),
    ]

    @Test func alertNotAnsweredInTimeTimesOutGoesToTheNextAgentAndTheAgentGoesInactive() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.notify("c1")
        #expect(router.effects.alerts(to: "alice").map(\.id) == ["n1"])
        router.advance(120)
        router.timeOut("n1")
        #expect(router.effects.closings(to: "alice") == [.init(id: "n1", outcome: .timedOut)])
        let presence = try #require(router.effects.presences(to: "alice").last)
        #expect(presence.status == .inactive && presence.setBy == .system && presence.reason == "missed-notification")
        #expect(router.effects.notifications(to: "alice").map(\.scenario) == [.missed])
        #expect(router.effects.alerts(to: "bob").map(\.conversationId) == ["c1"])

        // No new work while inactive, until a supervisor resets presence to the system-computed status.
        router.notify("c2")
        #expect(router.effects.alerts(to: "alice").isEmpty)
        #expect(router.machine.waitingReason(conversationID: "c2")?.contains("alice inactive since") == true)
        let reset = try router.resetPresence("alice", by: .supervisor("sam")).get()
        #expect(reset.presence == .available && reset.presenceReason == "reset")
        #expect(router.effects.alerts(to: "alice").map(\.conversationId) == ["c2"])
    }

    @Test func rejectGoesToTheNextAgentAndTheAgentGoesDoNotDisturb() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.notify("c1")
        #expect(try router.reject("n1", by: .agent("alice")).get().outcome == .rejected)
        let presence = try #require(router.effects.presences(to: "alice").last)
        #expect(presence.status == .dnd && presence.setBy == .system && presence.reason == "rejected")
        #expect(router.effects.notifications(to: "alice").map(\.scenario) == [.rejected])
        #expect(router.effects.alerts(to: "bob").map(\.conversationId) == ["c1"])
        // The agent's own status clears it.
        #expect(try router.setPresence("alice", .available, by: .agent("alice")).get().presence == .available)
    }

    @Test func anAgentHoldingTheMaximumSessionsWhenNewWorkArrivesGoesDoNotDisturb() throws {
        var router = RouterHarness(
            agents: [.init(id: "alice", capacity: 1000), .init(id: "bob")],
            notifications: .init(maxSessions: 2))
        router.connect("alice")
        for id in ["c1", "c2"] {
            router.notify(id)
            _ = try router.accept(#require(router.pendingID(id)), by: .agent("alice")).get()
        }
        router.connect("bob")
        router.notify("c3")
        let presence = try #require(router.effects.presences(to: "alice").last)
        #expect(presence.status == .dnd && presence.reason == "max-sessions")
        #expect(router.effects.notifications(to: "alice").map(\.scenario) == [.maxSessions])
        #expect(router.effects.alerts(to: "bob").map(\.conversationId) == ["c3"])

        // Closing sessions does not clear it.
        router.step { $0.closeConversation(id: "c1", reason: .closedByAgent, now: $1) }
        router.step { $0.closeConversation(id: "c2", reason: .closedByAgent, now: $1) }
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .dnd)
        #expect(router.machine.snapshot(agentID: "alice")?.presenceReason == "max-sessions")
    }

    @Test func caseAssignmentsCannotBeRejectedAndAreAssignedWhetherOrNotAnswered() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        let submitted = router.machine.submitWorkItem(.init(id: "wi1", kind: "case", title: "Refund"), now: router.now)
        router.effects = submitted.effects
        #expect(try submitted.result.get().assignedAgent == "alice")
        let alert = try #require(router.effects.alerts(to: "alice").first)
        #expect(alert.scenario == .caseAssignment && !alert.allowReject && alert.autoAssign)
        #expect(alert.workItemId == "wi1" && alert.conversationId == nil)
        #expect(router.reject(alert.id, by: .agent("alice")).error?.code == "reject-not-allowed")

        router.advance(120)
        router.timeOut(alert.id)
        #expect(router.effects.closings(to: "alice") == [.init(id: alert.id, outcome: .autoAccepted)])
        #expect(router.effects.presences(to: "alice").isEmpty)
        #expect(router.machine.workItem(id: "wi1")?.status == .assigned)
    }

    @Test func autoAcceptOpensTheSessionAtOnce() throws {
        var router = RouterHarness(agents: Self.team, notifications: .init(autoAccept: true))
        router.connect("alice")
        router.notify("c1")
        #expect(router.effects.closings(to: "alice") == [.init(id: "n1", outcome: .autoAccepted)])
        #expect(router.effects.assignments == [.init(conversationID: "c1", agentID: "alice")])
    }

    @Test func autoAssignAssignsWithoutAsking() throws {
        var router = RouterHarness(agents: Self.team, notifications: .init(autoAssign: true))
        router.connect("alice")
        router.notify("c1")
        let alert = try #require(router.effects.alerts(to: "alice").first)
        #expect(alert.autoAssign && !alert.allowReject)
        #expect(router.effects.assignments == [.init(conversationID: "c1", agentID: "alice")])
        router.advance(120)
        router.timeOut(alert.id)
        #expect(router.effects.closings(to: "alice") == [.init(id: alert.id, outcome: .autoAccepted)])
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .busy)
    }

    @Test func anItemAssignedWhileTheStreamWasDisconnectedIsReroutedEightMinutesAfterItsNotificationTimedOut() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.step { $0.agentDisconnected("alice", now: $1) }  // within the grace period: still signed in
        let submitted = router.machine.submitWorkItem(.init(id: "wi1", kind: "case", title: "Refund"), now: router.now)
        #expect(try submitted.result.get().assignedAgent == "alice")
        router.advance(30)
        router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }
        router.advance(90)
        router.timeOut("n1")
        let deadline = router.now.addingTimeInterval(480)
        #expect(router.effects.contains(.scheduleTimer(.unseenReroute(itemID: "wi1"), at: deadline)))

        router.advance(480)
        router.step { $0.timerFired(.unseenReroute(itemID: "wi1"), now: $1) }
        #expect(router.effects.decisions.contains { $0.kind == .rerouted && $0.agentID == "alice" })
        #expect(router.effects.alerts(to: "bob").map(\.workItemId) == ["wi1"])
        #expect(router.machine.workItem(id: "wi1")?.assignedAgent == "bob")
        #expect(router.machine.snapshot(agentID: "alice")?.usedCapacity == 0)
    }

    @Test func anItemTheAgentOpenedBeforeTheRerouteStaysWithIt() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.step { $0.agentDisconnected("alice", now: $1) }
        _ = router.machine.submitWorkItem(.init(id: "wi1", kind: "case", title: "Refund"), now: router.now)
        router.advance(120)
        router.timeOut("n1")
        router.step { $0.opened(itemID: "wi1", by: "alice", now: $1) }
        router.advance(480)
        router.step { $0.timerFired(.unseenReroute(itemID: "wi1"), now: $1) }
        #expect(router.effects.alerts(to: "bob").isEmpty)
        #expect(router.machine.workItem(id: "wi1")?.assignedAgent == "alice")
    }

    @Test func aDisconnectedAgentGoesOfflineAfterAGraceAndReturnsToThePreviousStatusWithinTwoAndAHalfMinutes() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.setPresence("alice", .away, by: .agent("alice"))
        router.step { $0.agentDisconnected("alice", now: $1) }
        router.advance(30)
        router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }
        let offline = try #require(router.effects.presences(to: "alice").last)
        #expect(offline.status == .offline && offline.reason == "disconnected")
        router.advance(120)  // 150 s after the disconnect
        router.connect("alice")
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .away)

        // Back later than 150 s: the system-computed status.
        router.step { $0.agentDisconnected("alice", now: $1) }
        router.advance(30)
        router.step { $0.timerFired(.disconnectGrace(agentID: "alice"), now: $1) }
        router.advance(121)
        router.connect("alice")
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .available)
    }

    @Test func aTransferOrEscalationNotifiesItsTargetWithAToast() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.notify("c1")
        _ = try router.accept("n1", by: .agent("alice")).get()

        let transfer = router.machine.transfer(
            conversationID: "c1", to: .agent("bob"), escalate: false, by: .agent("alice"), now: router.now)
        router.effects = transfer.effects
        #expect(try transfer.result.get().assignedAgent == "bob")
        let toast = try #require(router.effects.notifications(to: "bob").first)
        #expect(toast.kind == .toast && toast.scenario == .transfer && toast.conversationId == "c1")
        #expect(
            router.effects.events(to: "alice").contains(.conversationClosed(conversationID: "c1", reason: .transferred))
        )
        #expect(router.effects.assignments == [.init(conversationID: "c1", agentID: "bob")])

        // The toast disappears by itself, with no presence change.
        router.advance(10)
        router.timeOut(toast.id)
        #expect(router.effects.closings(to: "bob") == [.init(id: toast.id, outcome: .timedOut)])
        #expect(router.effects.presences(to: "bob").isEmpty)

        // Escalation to a queue goes to an agent other than the former holder.
        let escalation = router.machine.transfer(
            conversationID: "c1", to: .queue("default"), escalate: true, by: .supervisor("sam"), now: router.now)
        router.effects = escalation.effects
        #expect(try escalation.result.get().assignedAgent == "alice")
        #expect(router.effects.notifications(to: "alice").map(\.scenario) == [.escalation])
    }

    @Test func aLosingTransferGets409() {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.notify("c1")
        let transfer = router.machine.transfer(
            conversationID: "c1", to: .agent("bob"), escalate: false, by: .admin, now: router.now)
        #expect(transfer.result.error?.status == 409)
        #expect(
            router.machine.transfer(
                conversationID: "c1", to: .agent("bob"), escalate: false, by: .agent("bob"), now: router.now
            )
            .result.error?.status == 409)
    }

    @Test func aTransferToAnAgentWhoCannotTakeItIs409AndChangesNothing() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice")
        router.notify("c1")
        _ = try router.accept("n1", by: .agent("alice")).get()
        let before = router.machine.snapshot(agentID: "alice")

        // bob is signed out.
        let offline = router.machine.transfer(
            conversationID: "c1", to: .agent("bob"), escalate: false, by: .agent("alice"), now: router.now)
        #expect(offline.result.error?.code == "not-eligible")
        #expect(offline.result.error?.message.contains("offline") == true)
        #expect(offline.effects.isEmpty)
        #expect(router.machine.holder(conversationID: "c1") == "alice")

        // bob signed in but away.
        router.connect("bob")
        router.setPresence("bob", .away, by: .agent("bob"))
        let away = router.machine.transfer(
            conversationID: "c1", to: .agent("bob"), escalate: false, by: .agent("alice"), now: router.now)
        #expect(away.result.error?.code == "not-eligible")
        #expect(away.effects.isEmpty)
        #expect(router.machine.holder(conversationID: "c1") == "alice")
        #expect(router.machine.snapshot(agentID: "alice") == before)

        // Available again: the transfer goes through.
        router.setPresence("bob", .available, by: .agent("bob"))
        let accepted = router.machine.transfer(
            conversationID: "c1", to: .agent("bob"), escalate: false, by: .agent("alice"), now: router.now)
        #expect(try accepted.result.get().assignedAgent == "bob")
    }

    @Test func aTransferOfAClosedConversationIs409Closed() throws {
        var router = RouterHarness(agents: Self.team)
        router.connect("alice", "bob")
        router.notify("c1")
        _ = try router.accept("n1", by: .agent("alice")).get()
        router.step { $0.closeConversation(id: "c1", reason: .closedByAgent, now: $1) }
        let transfer = router.machine.transfer(
            conversationID: "c1", to: .agent("bob"), escalate: false, by: .agent("alice"), now: router.now)
        #expect(transfer.result.error?.status == 409)
        #expect(transfer.result.error?.code == "closed")
    }

    @Test func aWorkItemIsAssignedWithAToastOrForcedToItsAgent() throws {
        var router = RouterHarness(agents: Self.team)
        let forced = router.machine.submitWorkItem(
            .init(id: "wi1", kind: "task", title: "Call back", agentID: "bob"), now: router.now)
        router.effects = forced.effects
        // Forced: bob is offline, and still gets it.
        #expect(try forced.result.get().assignedAgent == "bob")
        #expect(router.effects.notifications(to: "bob").map(\.kind) == [.toast])

        let waiting = router.machine.submitWorkItem(.init(id: "wi2", kind: "task", title: "Follow up"), now: router.now)
        let snapshot = try waiting.result.get()
        #expect(snapshot.status == .waiting)
        #expect(snapshot.waitingReason?.contains("alice offline") == true)
        #expect(router.machine.workItems(status: .waiting).map(\.id) == ["wi2"])
        #expect(
            router.machine.submitWorkItem(.init(id: "wi2", kind: "task", title: "x"), now: router.now).result.error?
                .status == 409)
    }
}
