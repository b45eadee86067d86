import Foundation
import Router
import Switchboard
import Testing

@Suite("Assignment: queue priority, FIFO, methods, offers per agent")
struct AssignmentMethodTests {
    static func router(method: Configuration.QueueSettings.Method) -> RouterHarness {
        var router = RouterHarness(
            agents: [.init(id: "alice", capacity: 100), .init(id: "bob", capacity: 200)],
            notifications: .init(autoAccept: true, maxPendingAlerts: 5))
        router.machine = RoutingStateMachine(
            configuration: Configuration(
                channels: [.init(id: "twilio-main", provider: "twilio")], agents: router.machine.configuration.agents,
                notifications: router.machine.configuration.notifications,
                queues: [.init(id: "default", method: method)]),
            now: router.now, makeNotificationID: { "n\($0)" })
        return router
    }

    /// Who gets each of four conversations, one after the other (auto-accept, so each is held at once).
    static func owners(method: Configuration.QueueSettings.Method) -> [String] {
        var router = router(method: method)
        router.connect("alice", "bob")
        return (1...4).compactMap { index in
            router.advance(1)
            router.notify("c\(index)")
            return router.effects.assignments.first?.agentID
        }
    }

    @Test func highestCapacityOffersTheAgentWithTheMostFreeCapacity() {
        // bob has 200 free, then 190, 180…: he keeps the most until alice catches up.
        #expect(Self.owners(method: .highestCapacity) == ["bob", "bob", "bob", "bob"])
    }

    @Test func roundRobinTakesTurns() {
        #expect(Self.owners(method: .roundRobin) == ["alice", "bob", "alice", "bob"])
    }

    @Test func leastActiveOffersTheAgentWithTheFewestSessions() {
        var router = Self.router(method: .leastActive)
        router.connect("alice", "bob")
        router.notify("c1")  // alice (order)
        router.advance(1)
        router.notify("c2")  // bob: fewer sessions
        router.advance(1)
        router.step { $0.closeConversation(id: "c1", reason: .closedByAgent, now: $1) }
        router.advance(1)
        router.notify("c3")  // alice: 0 sessions, although offered more recently than… bob holds one
        #expect(router.effects.assignments.first?.agentID == "alice")
    }

    @Test func higherPriorityThenFirstInFirstOut() {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.notify("low-1")
        router.notify("high", priority: 5)
        router.notify("low-2")
        #expect(router.machine.waitingConversations() == ["high", "low-1", "low-2"])
    }

    @Test func aQueueWithHigherPriorityIsServedFirst() {
        var router = RouterHarness(agents: [.init(id: "alice", queues: ["default", "vip"])])
        router.machine = RoutingStateMachine(
            configuration: Configuration(
                channels: [.init(id: "twilio-main", provider: "twilio")], agents: router.machine.configuration.agents,
                queues: [.init(id: "vip", priority: 10)]),
            now: router.now, makeNotificationID: { "n\($0)" })
        router.notify("urgent-default", priority: 5)
        router.notify("vip", queue: "vip")
        #expect(router.machine.waitingConversations() == ["vip", "urgent-default"])
    }

    @Test func anAgentIsNotOfferedTheSameItemMoreThanMaxOffersPerAgent() throws {
        var router = RouterHarness(
            agents: [.init(id: "alice"), .init(id: "sam", role: .supervisor)],
            notifications: .init(maxOffersPerAgent: 2))
        router.connect("alice")
        router.notify("c1")
        for _ in 0..<2 {
            let id = try #require(router.pendingID("c1"))
            router.timeOut(id)
            router.resetPresence("alice", by: .supervisor("sam"))
        }
        #expect(router.pendingID("c1") == nil)
        #expect(router.machine.waitingReason(conversationID: "c1")?.contains("alice offered this item 2 times") == true)
    }

    @Test func aQueueOfManyAgentsExplainsItsWaitBriefly() {
        let agents = (0..<30).map { Configuration.Agent(id: "a\($0)") }
        var router = RouterHarness(agents: agents)
        router.notify("c1")
        let reason = router.machine.waitingReason(conversationID: "c1") ?? ""
        #expect(reason.hasPrefix("no eligible agent in queue default: a0 offline (signed out)"))
        #expect(reason.hasSuffix("; and 10 more"))
    }
}
