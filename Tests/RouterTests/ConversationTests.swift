import Foundation
import Router
import Switchboard
import Testing

@Suite("Held conversations: messages, close, restore")
struct ConversationTests {
    static func message(_ id: String, in conversationID: String, status: MessageStatus = .received) -> Message {
        let at = Date(timeIntervalSince1970: 1_750_000_000)
        return Message(
            id: id, conversationID: conversationID, direction: status == .received ? .inbound : .outbound,
            author: status == .received ? .customer : .agent, text: "Hello", status: status, createdAt: at,
            updatedAt: at)
    }

    @Test func messagesGoToTheHolderOnly() {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.connect("alice")
        router.notify("c1")
        let inbound = Self.message("m1", in: "c1")
        #expect(router.machine.messageArrived(inbound, conversationID: "c1").isEmpty)  // only offered

        router.accept("n1", by: .agent("alice"))
        #expect(
            router.machine.messageArrived(inbound, conversationID: "c1") == [
                .publish(.message(conversationID: "c1", inbound), to: "alice")
            ])
        var outbound = Self.message("m2", in: "c1", status: .failed)
        outbound.error = ProviderErrorDetail(code: "30003", message: "Unreachable destination handset")
        #expect(
            router.machine.messageStatusChanged(outbound, conversationID: "c1") == [
                .publish(
                    .messageStatus(conversationID: "c1", messageID: "m2", status: .failed, error: outbound.error),
                    to: "alice")
            ])
        #expect(router.machine.messageArrived(inbound, conversationID: "unknown").isEmpty)
    }

    @Test func closeReleasesCapacityAndOffersAWaitingItem() throws {
        var router = RouterHarness(agents: [.init(id: "alice", capacity: 10)])
        router.connect("alice")
        router.notify("c1")
        router.accept("n1", by: .agent("alice"))  // full: dnd by load
        router.notify("c2")
        #expect(router.machine.waitingReason(conversationID: "c2")?.contains("alice dnd since") == true)

        let effects = router.step { $0.closeConversation(id: "c1", reason: .closedByAgent, now: $1) }
        #expect(effects.events(to: "alice").first == .conversationClosed(conversationID: "c1", reason: .closedByAgent))
        #expect(effects.presences(to: "alice").map(\.status) == [.available])
        #expect(effects.alerts(to: "alice").map(\.conversationId) == ["c2"])
        let alice = try #require(router.machine.snapshot(agentID: "alice"))
        #expect(alice.activeSessions == 0 && alice.usedCapacity == 0)
        #expect(router.machine.holder(conversationID: "c1") == nil)
        #expect(router.machine.offers(conversationID: "c1").count == 1)  // history stays readable
        // Closing twice changes nothing.
        #expect(router.step { $0.closeConversation(id: "c1", reason: .closedByAgent, now: $1) }.isEmpty)
    }

    @Test func aFailedCallConnectRoutesTheConversationAgainToAnotherAgent() throws {
        var router = RouterHarness(agents: [.init(id: "alice"), .init(id: "bob")])
        router.connect("alice")
        router.notify("c1")
        router.accept("n1", by: .agent("alice"))
        router.connect("bob")

        let effects = router.step { $0.callConnectFailed(conversationID: "c1", now: $1) }
        #expect(effects.contains(.unassign(conversationID: "c1")))
        #expect(effects.events(to: "alice").first == .conversationClosed(conversationID: "c1", reason: .transferred))
        #expect(effects.alerts(to: "bob").map(\.conversationId) == ["c1"])
        #expect(
            effects.contains {
                if case .log(let decision) = $0 {
                    return decision.kind == .rerouted && decision.reason == "connect-failed"
                }
                return false
            })
        let alice = try #require(router.machine.snapshot(agentID: "alice"))
        #expect(alice.activeSessions == 0)
        // Nothing held, nothing to take back.
        #expect(router.step { $0.callConnectFailed(conversationID: "c2", now: $1) }.isEmpty)
    }

    @Test func closeWithdrawsAPendingOffer() {
        var router = RouterHarness(agents: [.init(id: "alice")])
        router.connect("alice")
        router.notify("c1")
        let effects = router.step { $0.closeConversation(id: "c1", reason: .customerHungUp, now: $1) }
        #expect(effects.closings(to: "alice") == [.init(id: "n1", outcome: .withdrawn)])
        #expect(effects.contains(.cancelTimer(.alertTimeout(notificationID: "n1"))))
        #expect(!effects.events(to: "alice").contains { $0.type == "conversation.closed" })
        #expect(router.machine.pendingNotifications(agentID: "alice").isEmpty)
        #expect(router.accept("n1", by: .agent("alice")).error?.code == "not-pending")
        // A closed conversation does not wait for anyone.
        #expect(router.machine.waitingReason(conversationID: "c1") == nil)
    }

    @Test func restoreRegistersHeldConversationsAndRoutesUnassignedOnes() throws {
        var router = RouterHarness(agents: [.init(id: "alice", capacity: 20), .init(id: "bob")])
        let at = router.now
        func conversation(_ id: String, holder: String?) -> Conversation {
            Conversation(
                id: id, channelID: "twilio-main", medium: .sms, queue: "default", status: .open,
                customerPhone: "+14155550100", match: .none, assignedAgent: holder, createdAt: at)
        }
        let effects = router.step {
            $0.restore(
                [
                    conversation("held", holder: "alice"), conversation("free", holder: nil),
                    conversation("orphan", holder: "gone"),
                ], now: $1)
        }
        #expect(effects.decisions.filter { $0.kind == .waiting }.map(\.conversationID) == ["free", "orphan"])
        #expect(router.machine.holder(conversationID: "held") == "alice")
        #expect(router.machine.snapshot(agentID: "alice")?.usedCapacity == 10)

        router.connect("alice")
        #expect(router.machine.presence(agentID: "alice")?.status == .busy)
        #expect(router.effects.alerts(to: "alice").map(\.conversationId) == ["free"])
        router.connect("bob")
        #expect(router.effects.alerts(to: "bob").map(\.conversationId) == ["orphan"])
    }
}
