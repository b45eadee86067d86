import Foundation
import Router
import Switchboard
import Testing

@Suite("Reload: the router takes a new configuration (CONTRACT.md §12)")
struct ReconfigureTests {
    static func configuration(
        _ agents: [Configuration.Agent], queues: [Configuration.QueueSettings] = [],
        notifications: Configuration.NotificationSettings = .init()
    ) -> Configuration {
        Configuration(
            channels: [.init(id: "twilio-main", provider: "twilio")], agents: agents, notifications: notifications,
            queues: queues)
    }

    static func decisions(_ effects: [RoutingEffect]) -> [RoutingDecision] {
        effects.compactMap {
            if case .log(let decision) = $0 { return decision }
            return nil
        }
    }

    @Test func aRemovedAgentsPendingOfferIsWithdrawnAndOfferedToAnother() throws {
        var router = RouterHarness(agents: [.init(id: "alice"), .init(id: "bob")])
        router.connect("alice", "bob")
        router.notify("c1")
        #expect(router.machine.offers(conversationID: "c1").map(\.agentId) == ["alice"])

        let effects = router.step { $0.reconfigure(Self.configuration([.init(id: "bob")]), now: $1) }
        #expect(effects.events(to: "alice").contains(.notificationClosed(id: "n1", outcome: .withdrawn)))
        #expect(effects.alerts(to: "bob").map(\.conversationId) == ["c1"])
        let offers = router.machine.offers(conversationID: "c1")
        #expect(offers.map(\.agentId) == ["alice", "bob"])
        #expect(offers.first?.outcome == .withdrawn)
        #expect(router.machine.snapshot(agentID: "alice") == nil)
        #expect(router.machine.snapshots().map(\.id) == ["bob"])
        let removal = Self.decisions(effects).first { $0.kind == .signedOut && $0.agentID == "alice" }
        #expect(removal?.reason == "removed from the configuration")
        // The removed agent's answer no longer counts.
        #expect((try? router.accept("n1", by: .agent("alice")).get()) == nil)
    }

    @Test func aRemovedAgentsConversationsGoBackToTheirQueue() throws {
        var router = RouterHarness(agents: [.init(id: "alice"), .init(id: "bob", queues: ["vip"])])
        router.connect("alice", "bob")
        router.notify("c1")
        router.accept("n1", by: .agent("alice"))
        #expect(router.machine.holder(conversationID: "c1") == "alice")

        let effects = router.step { $0.reconfigure(Self.configuration([.init(id: "bob", queues: ["vip"])]), now: $1) }
        #expect(effects.contains(.unassign(conversationID: "c1")))
        #expect(router.machine.holder(conversationID: "c1") == nil)
        let decisions = Self.decisions(effects)
        let rerouted = try #require(decisions.first { $0.kind == .rerouted })
        #expect(rerouted.agentID == "alice" && rerouted.conversationID == "c1")
        #expect(rerouted.reason == "alice was removed from the configuration; back to queue default")
        // Nobody else serves `default`: it waits, and says why.
        #expect(decisions.contains { $0.kind == .waiting && $0.conversationID == "c1" })

        // An agent added to its queue gets it as soon as its stream opens: added agents start offline.
        router.step {
            $0.reconfigure(
                Self.configuration([.init(id: "bob", queues: ["vip"]), .init(id: "carol")]), now: $1)
        }
        #expect(router.machine.snapshot(agentID: "carol")?.presence == .offline)
        router.connect("carol")
        #expect(router.effects.alerts(to: "carol").map(\.conversationId) == ["c1"])
    }

    @Test func keptAgentsKeepTheirStreamsSessionsAndPresenceUnderTheirNewCapacity() throws {
        var router = RouterHarness(agents: [.init(id: "alice"), .init(id: "bob")])
        router.connect("alice", "bob")
        router.notify("c1")
        router.accept("n1", by: .agent("alice"))
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .busy)

        // Capacity down to what alice uses: full, so dnd by load; nothing new is offered to her.
        let effects = router.step {
            $0.reconfigure(Self.configuration([.init(id: "alice", capacity: 10), .init(id: "bob")]), now: $1)
        }
        let alice = try #require(router.machine.snapshot(agentID: "alice"))
        #expect(alice.signedIn && alice.capacity == 10 && alice.usedCapacity == 10 && alice.presence == .dnd)
        #expect(effects.presences(to: "alice").map(\.status) == [.dnd])
        #expect(router.machine.holder(conversationID: "c1") == "alice")
        #expect(router.machine.snapshot(agentID: "bob")?.signedIn == true)
        router.notify("c2")
        #expect(router.effects.alerts(to: "bob").map(\.conversationId) == ["c2"])

        // Capacity up again: available to work, by load.
        router.step {
            $0.reconfigure(Self.configuration([.init(id: "alice", capacity: 100), .init(id: "bob")]), now: $1)
        }
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .busy)
    }

    @Test func changedQueuesAndTemplatesApplyToTheNextOffer() throws {
        var router = RouterHarness(agents: [.init(id: "alice"), .init(id: "bob")])
        router.connect("alice", "bob")
        var notifications = Configuration.NotificationSettings()
        notifications.templates = ["incoming-sms": .init(title: "Reloaded {customerName}")]
        // bob now serves `sales` only, alice both.
        let new = Self.configuration(
            [.init(id: "alice", queues: ["default", "sales"]), .init(id: "bob", queues: ["sales"])],
            notifications: notifications)
        router.step { $0.reconfigure(new, now: $1) }
        router.notify("c1", queue: "sales")
        #expect(router.effects.alerts(to: "alice").map(\.title) == ["Reloaded Ada Lovelace"])
        router.notify("c2", queue: "default")
        // alice has a pending alert; bob does not serve `default` any more.
        #expect(router.effects.alerts(to: "bob").isEmpty)
        #expect(
            router.machine.waitingReason(conversationID: "c2")
                == "no eligible agent in queue default: alice has 1 pending alert")
    }
}
