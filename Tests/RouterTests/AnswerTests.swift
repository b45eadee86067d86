import Foundation
import Router
import Switchboard
import Testing

@Suite("Accept, reject and timeout; exactly one owner")
struct AnswerTests {
    /// alice and bob signed in; c1 offered to alice as n1.
    static func offeredToAlice(
        _ notifications: Configuration.NotificationSettings = .init(),
        agents: [Configuration.Agent] = [.init(id: "alice"), .init(id: "bob"), .init(id: "sam", role: .supervisor)]
    ) -> RouterHarness {
        var router = RouterHarness(agents: agents, notifications: notifications)
        router.connect("alice", "bob", "sam")
        router.notify("c1")
        return router
    }

    @Test func acceptAssignsAndPresenceFollowsLoad() throws {
        var router = Self.offeredToAlice()
        let answer = try router.accept("n1", by: .agent("alice")).get()
        #expect(answer == NotificationAnswer(id: "n1", outcome: .accepted, conversationId: "c1"))

        let effects = router.effects
        #expect(effects.closings(to: "alice") == [.init(id: "n1", outcome: .accepted)])
        #expect(effects.contains(.cancelTimer(.alertTimeout(notificationID: "n1"))))
        #expect(effects.assignments == [.init(conversationID: "c1", agentID: "alice")])
        let presence = try #require(effects.presences(to: "alice").last)
        #expect(presence.status == .busy && presence.setBy == .system && presence.reason == "load")
        #expect(effects.events(to: "sam").contains(.presence(agentID: "alice", presence)))

        let alice = try #require(router.machine.snapshot(agentID: "alice"))
        #expect(alice.activeSessions == 1 && alice.usedCapacity == 10 && alice.presence == .busy)
        #expect(router.machine.holder(conversationID: "c1") == "alice")
        #expect(router.machine.pendingNotifications(agentID: "alice").isEmpty)
        #expect(router.machine.offers(conversationID: "c1").map(\.outcome) == [.accepted])
    }

    @Test func acceptFillingCapacityMakesTheAgentDoNotDisturb() throws {
        var router = Self.offeredToAlice(agents: [
            .init(id: "alice", capacity: 10), .init(id: "bob", capacity: 10), .init(id: "sam", role: .supervisor),
        ])
        router.accept("n1", by: .agent("alice"))
        #expect(router.effects.presences(to: "alice").last?.status == .dnd)
        #expect(router.machine.presence(agentID: "alice")?.reason == "load")
    }

    @Test func anAgentsOwnAvailableIsReplacedByLoadAtAccept() throws {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.connect("alice")
        router.setPresence("alice", .available, by: .agent("alice"))
        router.notify("c1")
        router.accept("n1", by: .agent("alice"))
        let presence = try #require(router.machine.presence(agentID: "alice"))
        #expect(presence.status == .busy && presence.setBy == .system && presence.reason == "load")
    }

    @Test func rejectOffersTheNextAgentAndSetsTheRejecterDoNotDisturb() throws {
        var router = Self.offeredToAlice()
        let answer = try router.reject("n1", by: .agent("alice")).get()
        #expect(answer == NotificationAnswer(id: "n1", outcome: .rejected))

        let effects = router.effects
        #expect(effects.closings(to: "alice") == [.init(id: "n1", outcome: .rejected)])
        let presence = try #require(effects.presences(to: "alice").last)
        #expect(presence.status == .dnd && presence.setBy == .system && presence.reason == "rejected")
        let banner = try #require(effects.notifications(to: "alice").first)
        #expect(banner.kind == .banner && banner.scenario == .rejected && banner.reason != nil)
        #expect(effects.alerts(to: "bob").map(\.conversationId) == ["c1"])
        #expect(router.machine.pendingNotificationAgent(conversationID: "c1") == "bob")
        #expect(router.machine.offers(conversationID: "c1").map(\.agentId) == ["alice", "bob"])
    }

    @Test func rejectWithoutRejectSetsDoNotDisturbKeepsPresence() {
        var router = Self.offeredToAlice(.init(rejectSetsDoNotDisturb: false))
        router.reject("n1", by: .agent("alice"))
        #expect(router.effects.presences(to: "alice").isEmpty)
        #expect(router.machine.presence(agentID: "alice")?.status == .available)
    }

    @Test func rejectIsRefusedWhenNotAllowed() {
        var router = Self.offeredToAlice(.init(allowReject: false))
        let error = router.reject("n1", by: .agent("alice")).error
        #expect(error?.status == 403 && error?.code == "reject-not-allowed")
        #expect(router.machine.pendingNotificationAgent(conversationID: "c1") == "alice")
    }

    @Test func timeoutOffersTheNextAgentAndSetsTheMissedAgentInactive() throws {
        var router = Self.offeredToAlice()
        router.advance(120)
        let effects = router.timeOut("n1")
        #expect(effects.closings(to: "alice") == [.init(id: "n1", outcome: .timedOut)])
        #expect(!effects.contains(.cancelTimer(.alertTimeout(notificationID: "n1"))))
        let presence = try #require(effects.presences(to: "alice").last)
        #expect(presence.status == .inactive && presence.setBy == .system && presence.reason == "missed-notification")
        let banner = try #require(effects.notifications(to: "alice").first)
        #expect(banner.kind == .banner && banner.scenario == .missed)
        #expect(effects.alerts(to: "bob").map(\.conversationId) == ["c1"])
        #expect(router.machine.pendingNotifications(agentID: "alice") == [banner])
    }

    @Test func timeoutWithoutMissedNotificationSetsInactiveKeepsPresence() {
        var router = Self.offeredToAlice(.init(missedNotificationSetsInactive: false))
        router.timeOut("n1")
        #expect(router.effects.presences(to: "alice").isEmpty)
        #expect(router.effects.notifications(to: "alice").isEmpty)
        #expect(router.effects.alerts(to: "bob").count == 1)
    }

    @Test func aSecondAcceptConflicts() {
        var router = Self.offeredToAlice()
        router.accept("n1", by: .agent("alice"))
        let again = router.accept("n1", by: .agent("alice")).error
        #expect(again?.status == 409 && again?.code == "not-pending")
        #expect(router.effects.isEmpty)
        #expect(router.reject("n1", by: .agent("alice")).error?.code == "not-pending")
        #expect(router.machine.holder(conversationID: "c1") == "alice")
    }

    @Test func acceptAfterTimeoutConflicts() {
        var router = Self.offeredToAlice()
        router.timeOut("n1")
        let error = router.accept("n1", by: .agent("alice")).error
        #expect(error?.status == 409 && error?.code == "not-pending")
        #expect(router.machine.holder(conversationID: "c1") == nil)
        #expect(router.machine.pendingNotificationAgent(conversationID: "c1") == "bob")
    }

    @Test func anotherAgentsAnswerIsForbidden() {
        var router = Self.offeredToAlice()
        let accept = router.accept("n1", by: .agent("bob")).error
        #expect(accept?.status == 403 && accept?.code == "forbidden")
        #expect(router.reject("n1", by: .agent("bob")).error?.status == 403)
        #expect(router.machine.pendingNotificationAgent(conversationID: "c1") == "alice")
    }

    @Test func unknownNotificationIsNotFound() {
        var router = Self.offeredToAlice()
        #expect(router.accept("nope", by: .admin).error?.status == 404)
        #expect(router.reject("nope", by: .agent("alice")).error?.code == "not-found")
    }

    @Test func aSupervisorMayAcceptForTheOfferedAgent() throws {
        var router = Self.offeredToAlice()
        _ = try router.accept("n1", by: .supervisor("sam")).get()
        #expect(router.machine.holder(conversationID: "c1") == "alice")
    }

    @Test func bannersCannotBeAnswered() {
        var router = Self.offeredToAlice()
        router.timeOut("n1")  // banner n2 to alice
        #expect(router.machine.pendingNotifications(agentID: "alice").map(\.id) == ["n2"])
        #expect(router.accept("n2", by: .agent("alice")).error?.code == "not-pending")
    }

    @Test func anItemNeverHasTwoPendingOffersOrTwoOwners() throws {
        var router = RouterHarness(
            agents: [.init(id: "a"), .init(id: "b"), .init(id: "c")], notifications: .init(maxPendingAlerts: 3))
        router.connect("a", "b", "c")
        router.notify("c1")
        #expect(router.machine.offers(conversationID: "c1").filter { $0.outcome == nil }.count == 1)
        router.reject("n1", by: .agent("a"))
        let next = try #require(router.pendingID("c1"))
        #expect(router.machine.offers(conversationID: "c1").filter { $0.outcome == nil }.count == 1)
        _ = try router.accept(next, by: .admin).get()
        let owners = ["a", "b", "c"].filter { router.machine.snapshot(agentID: $0)?.activeSessions == 1 }
        #expect(owners.count == 1)
        #expect(router.accept("n1", by: .admin).error?.code == "not-pending")
    }
}
