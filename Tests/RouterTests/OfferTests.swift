import Foundation
import Router
import Switchboard
import Testing

@Suite("Offering work to eligible agents")
struct OfferTests {
    @Test func newConversationIsOfferedAsAlertToEligibleAgent() throws {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.connect("alice")
        let effects = router.notify("c1")

        let alert = try #require(effects.alerts(to: "alice").first)
        #expect(alert.id == "n1")
        #expect(alert.kind == .alert)
        #expect(alert.scenario == .incomingSMS)
        #expect(alert.conversationId == "c1")
        #expect(alert.channel == .sms)
        #expect(alert.channelId == "twilio-main")
        #expect(alert.title == "Incoming SMS from Ada Lovelace")
        #expect(
            alert.fields == [
                .init(header: "Customer", value: "Ada Lovelace"), .init(header: "Phone", value: "+14155550100"),
                .init(header: "Channel", value: "twilio-main"), .init(header: "Queue", value: "default"),
            ])
        #expect(alert.allowReject && !alert.autoAccept && !alert.autoAssign && alert.showTimeout)
        #expect(alert.timeoutSeconds == 120)
        #expect(alert.expiresAt == router.now.addingTimeInterval(120))
        #expect(alert.desktop == .background)
        #expect(effects.contains(.scheduleTimer(.alertTimeout(notificationID: "n1"), at: router.now + 120)))
        #expect(
            router.machine.offers(conversationID: "c1") == [
                .init(notificationId: "n1", agentId: "alice", at: router.now)
            ])
        #expect(router.machine.pendingNotificationAgent(conversationID: "c1") == "alice")
        #expect(router.machine.pendingNotifications(agentID: "alice") == [alert])
        #expect(effects.decisions.contains { $0.kind == .offered && $0.agentID == "alice" && !$0.reason.isEmpty })
    }

    @Test func voiceAlertIsAnIncomingCallAndUsesVoiceCapacity() throws {
        var router = RouterHarness(agents: [.init(id: "alice", capacity: 100)])
        router.connect("alice")
        let alert = try #require(router.notify("v1", medium: .voice).alerts(to: "alice").first)
        #expect(alert.title == "Incoming call from Ada Lovelace")
        #expect(alert.scenario == .incomingVoice)
        router.accept("n1", by: .agent("alice"))
        #expect(router.machine.snapshot(agentID: "alice")?.usedCapacity == 100)
        #expect(router.machine.presence(agentID: "alice")?.status == .dnd)
    }

    @Test func theAgentWithMostFreeCapacityIsChosen() {
        var router = RouterHarness(agents: [.init(id: "alice", capacity: 50), .init(id: "bob", capacity: 100)])
        router.connect("alice", "bob")
        #expect(router.notify("c1").alerts(to: "bob").count == 1)
        #expect(router.notify("c1").alerts(to: "alice").isEmpty)  // a repeated request offers nothing more
    }

    @Test func tiesGoToTheLeastRecentlyOfferedAgent() throws {
        var router = RouterHarness(agents: [.init(id: "alice"), .init(id: "bob")])
        router.connect("alice", "bob")
        router.notify("c1")  // alice: first in configuration order
        router.accept("n1", by: .agent("alice"))
        router.closeAll(["c1"])
        router.advance(1)
        // Equal free capacity again: bob has never been offered anything.
        #expect(router.notify("c2").alerts(to: "bob").count == 1)
    }

    enum Ineligibility: String, CaseIterable {
        case signedOut, otherQueue, supervisor, fullCapacity, inactive, dndSetByAgent, busySetByAgent, away
        case sessionLimit, pendingAlert
    }

    /// Sets bob up so that he may not take new work, and returns what the waiting reason says about him.
    static func makeIneligible(_ router: inout RouterHarness, _ reason: Ineligibility) -> String {
        switch reason {
        case .signedOut:
            return "bob offline (signed out)"
        case .otherQueue, .supervisor:
            router.connect("bob")
            return "in queue default: zed offline (signed out)"  // bob is not even listed
        case .fullCapacity:
            router.connect("bob")
            router.notify("old")
            router.accept("n1", by: .agent("bob"))
            return "bob at capacity (10 of 15 used, needs 10)"
        case .inactive:
            router.connect("bob")
            router.notify("old")
            router.timeOut("n1")
            router.closeAll(["old"])  // so that zed, signing in later, is offered c1
            return "bob inactive since"
        case .dndSetByAgent, .busySetByAgent, .away:
            router.connect("bob")
            let status: PresenceStatus = reason == .away ? .away : reason == .dndSetByAgent ? .dnd : .busy
            router.setPresence("bob", status, by: .agent("bob"))
            return "bob \(status.rawValue) since"
        case .sessionLimit:
            router.connect("bob")
            router.notify("old")
            router.accept("n1", by: .agent("bob"))
            // New work arriving puts an agent at the session limit on dnd (CONTRACT.md §8 "Session limit").
            return "bob dnd since"
        case .pendingAlert:
            router.connect("bob")
            router.notify("old")
            return "bob has 1 pending alert"
        }
    }

    @Test(arguments: Ineligibility.allCases)
    func ineligibleAgentsAreSkipped(_ reason: Ineligibility) throws {
        let bob: Configuration.Agent =
            switch reason {
            case .otherQueue: .init(id: "bob", queues: ["vip"])
            case .supervisor: .init(id: "bob", role: .supervisor)
            case .fullCapacity: .init(id: "bob", capacity: 15)
            default: .init(id: "bob")
            }
        var router = RouterHarness(
            agents: [bob, .init(id: "zed", capacity: 50)],
            notifications: .init(maxSessions: reason == .sessionLimit ? 1 : 10))
        let expected = Self.makeIneligible(&router, reason)

        let effects = router.notify("c1")
        #expect(effects.alerts(to: "bob").isEmpty)
        let waiting = try #require(router.machine.waitingReason(conversationID: "c1"))
        #expect(waiting.contains(expected), "\(waiting)")
        #expect(effects.decisions.contains { $0.kind == .waiting && $0.conversationID == "c1" })

        // The item was not lost: an eligible agent signing in gets it.
        let signIn = router.connect("zed")
        #expect(signIn.alerts(to: "zed").contains { $0.conversationId == "c1" })
    }

    @Test func waitingItemIsOfferedWhenAnAgentSignsIn() throws {
        var router = RouterHarness(agents: [.init(id: "alice")])
        #expect(router.notify("c1").events(to: "alice").isEmpty)
        #expect(
            router.machine.waitingReason(conversationID: "c1")
                == "no eligible agent in queue default: alice offline (signed out)")
        let alert = try #require(router.connect("alice").alerts(to: "alice").first)
        #expect(alert.conversationId == "c1")
        #expect(router.machine.waitingReason(conversationID: "c1") == nil)
    }

    @Test func waitingItemsAreServedByPriorityThenFirstInFirstOut() throws {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.notify("c1")
        router.advance(1)
        router.notify("c2", priority: 5)
        router.advance(1)
        router.notify("c3")
        router.advance(1)
        router.notify("c4", priority: 5)
        #expect(router.machine.waitingConversations() == ["c2", "c4", "c1", "c3"])

        var served: [String] = []
        router.connect("alice")
        for _ in 0..<4 {
            let alert = try #require(router.effects.alerts(to: "alice").last)
            served.append(try #require(alert.conversationId))
            router.accept(alert.id, by: .agent("alice"))
        }
        #expect(served == ["c2", "c4", "c1", "c3"])
    }

    @Test func oneAlertAtATimeWithDefaultMaxPendingAlerts() {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.connect("alice")
        router.notify("c1")
        #expect(router.notify("c2").alerts(to: "alice").isEmpty)
        router.accept("n1", by: .agent("alice"))
        #expect(router.effects.alerts(to: "alice").map(\.conversationId) == ["c2"])
    }

    @Test func anAgentIsOfferedAnItemAtMostMaxOffersPerAgentTimes() throws {
        var router = RouterHarness(
            agents: [.init(id: "alice")],
            notifications: .init(
                missedNotificationSetsInactive: false, rejectSetsDoNotDisturb: false, maxOffersPerAgent: 2))
        router.connect("alice")
        router.notify("c1")
        router.reject("n1", by: .agent("alice"))
        let second = try #require(router.effects.alerts(to: "alice").first)
        router.timeOut(second.id)
        #expect(router.effects.alerts(to: "alice").isEmpty)
        #expect(router.machine.offers(conversationID: "c1").map(\.outcome) == [.rejected, .timedOut])
        let reason = try #require(router.machine.waitingReason(conversationID: "c1"))
        #expect(reason.contains("alice offered this item 2 times"))
    }

    @Test func aRejectedItemGoesToAnAgentNotYetOfferedItFirst() {
        var router = RouterHarness(
            agents: [.init(id: "alice", capacity: 200), .init(id: "bob")],
            notifications: .init(rejectSetsDoNotDisturb: false))
        router.connect("alice", "bob")
        router.notify("c1")  // alice: more free capacity
        router.reject("n1", by: .agent("alice"))
        #expect(router.effects.alerts(to: "bob").count == 1)
        #expect(router.effects.alerts(to: "alice").isEmpty)
    }

    @Test func autoAcceptClosesTheAlertAtOnceAndAssigns() throws {
        var router = RouterHarness(agents: [.init(id: "alice")], notifications: .init(autoAccept: true))
        router.connect("alice")
        let effects = router.notify("c1")
        let alert = try #require(effects.alerts(to: "alice").first)
        #expect(alert.autoAccept && !alert.allowReject && alert.timeoutSeconds == nil)
        #expect(effects.closings(to: "alice") == [.init(id: "n1", outcome: .autoAccepted)])
        #expect(effects.assignments == [.init(conversationID: "c1", agentID: "alice")])
        #expect(!effects.contains { if case .scheduleTimer = $0 { true } else { false } })
        #expect(router.machine.holder(conversationID: "c1") == "alice")
    }

    @Test func autoAssignAssignsWhenSentAndATimeoutIsNotMissed() {
        var router = RouterHarness(agents: [.init(id: "alice")], notifications: .init(autoAssign: true))
        router.connect("alice")
        let effects = router.notify("c1")
        #expect(effects.assignments == [.init(conversationID: "c1", agentID: "alice")])
        #expect(effects.alerts(to: "alice").first?.allowReject == false)
        #expect(router.reject("n1", by: .agent("alice")).error?.code == "reject-not-allowed")
        router.timeOut("n1")
        #expect(router.effects.closings(to: "alice") == [.init(id: "n1", outcome: .autoAccepted)])
        #expect(router.effects.presences(to: "alice").isEmpty)
        #expect(router.machine.holder(conversationID: "c1") == "alice")
    }
}

extension RouterHarness {
    mutating func closeAll(_ conversationIDs: [String]) {
        for id in conversationIDs { step { $0.closeConversation(id: id, reason: .closedByAgent, now: $1) } }
    }
}
