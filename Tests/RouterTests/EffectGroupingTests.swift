import DomainFakes
import Foundation
import Router
import Switchboard
import Testing

/// The router's ordered consumer executes the effects that waited together at once (issue 18): one publish
/// for all their events, in the order decided, instead of one store round per effect.
@Suite("EmbeddedRouter effect grouping")
struct EffectGroupingTests {
    @Test func effectsThatWaitedTogetherArePublishedInOneCallInDecisionOrder() async throws {
        let store = AssignmentRecorder()
        let sink = GatedSink()
        let router = Self.router(autoAccept: true, store: store, events: sink)
        await router.agentConnected("alice")
        let before = await sink.calls.count

        // The first notification's publish waits; five more are decided meanwhile.
        await sink.gate.close()
        let first = Task { await router.notify(RouterHarness.request("c0", at: Date())) }
        #expect(await eventually { await sink.calls.count == before + 1 })
        let rest = (1...5).map { index in
            Task { await router.notify(RouterHarness.request("c\(index)", at: Date())) }
        }
        #expect(
            await eventually {
                for index in 1...5 where await router.offers(conversationID: "c\(index)").isEmpty { return false }
                return true
            })
        await sink.gate.open()
        await first.value
        for task in rest { await task.value }

        let calls = Array(await sink.calls.dropFirst(before))
        #expect(calls.count == 2, "publish calls after the first: \(calls.dropFirst())")
        let notifications = calls.last?.filter { $0.hasPrefix("alice notification") }
        #expect(
            notifications
                == Array(repeating: ["alice notification", "alice notification.closed"], count: 5).flatMap { $0 })
        for index in 0...5 {
            #expect(await store.assignments["c\(index)"] == .some("alice"), "c\(index) stored as alice's")
        }
        await router.shutdown()
    }

    @Test func aFailedAssignmentIsLoggedAndTheOthersAreStored() async throws {
        let store = FailingAssignments(failing: "c-bad")
        let router = Self.router(autoAccept: true, store: store, events: RecordingSink())
        await router.agentConnected("alice")
        await withTaskGroup(of: Void.self) { group in
            for id in ["c1", "c-bad", "c2"] {
                group.addTask { await router.notify(RouterHarness.request(id, at: Date())) }
            }
        }
        let failures = await router.decisions().filter { $0.kind == .storeFailed }.map(\.reason)
        #expect(failures.count == 1)
        #expect(failures.first?.contains("could not store c-bad as assigned to alice") == true, "\(failures)")
        #expect(await store.assigned == ["c1": "alice", "c2": "alice"])
        await router.shutdown()
    }

    /// A notification and its auto-accept decide the assignment last: their events need not wait for it.
    @Test func eventsDecidedBeforeTheAssignmentDoNotWaitForIt() async throws {
        let store = GatedAssignments()
        let sink = RecordingSink()
        let router = Self.router(autoAccept: true, store: store, events: sink)
        await router.agentConnected("alice")
        // Her first conversation makes her busy (a presence event after its assignment); the second changes nothing.
        await router.notify(RouterHarness.request("c0", at: Date()))
        await store.gate.close()
        let notify = Task { await router.notify(RouterHarness.request("c1", at: Date())) }
        #expect(
            await eventually { await sink.events(to: "alice").filter { $0.type == "notification.closed" }.count == 2 })
        #expect(await store.assigned["c1"] == nil, "the assignment was still waiting")
        await store.gate.open()
        await notify.value
        #expect(await store.assigned["c1"] == .some("alice"))
        await router.shutdown()
    }

    /// An accept decides the assignment, then the agent's new presence: that event waits for the assignment.
    @Test func anEventDecidedAfterAnAssignmentWaitsForIt() async throws {
        let store = GatedAssignments()
        let sink = RecordingSink()
        let router = Self.router(autoAccept: false, store: store, events: sink)
        await router.agentConnected("alice")
        await router.notify(RouterHarness.request("c1", at: Date()))
        let id = try #require(await router.pendingNotifications(agentID: "alice").first?.id)
        let before = await sink.events(to: "alice").count
        await store.gate.close()
        let accept = Task { try await router.accept(notificationID: id, by: .agent("alice")) }
        #expect(await eventually { await store.gate.waitedCount == 1 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(await sink.events(to: "alice").count == before, "nothing published while the assignment waits")
        await store.gate.open()
        _ = try await accept.value
        let after = await sink.events(to: "alice").dropFirst(before).map(\.type)
        #expect(after == ["notification.closed", "presence"])
        await router.shutdown()
    }

    /// A router with one agent, alice.
    private static func router(
        autoAccept: Bool, store: any AssignmentStore, events: any AgentEventSink
    ) -> EmbeddedRouter {
        let configuration = Configuration(
            channels: [.init(id: "twilio-main", provider: "twilio")], agents: [.init(id: "alice")],
            notifications: .init(autoAccept: autoAccept))
        return EmbeddedRouter(
            configuration: configuration, store: store, events: events, clock: SystemWallClock(),
            makeNotificationID: { "n\($0)" })
    }

    /// Polls `condition` until it holds or 30 s have passed.
    private func eventually(_ condition: @Sendable () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// Stores assignments, except that of one conversation, which fails.
actor FailingAssignments: AssignmentStore {
    let failing: String
    private(set) var assigned: [String: String] = [:]

    init(failing: String) { self.failing = failing }

    func assignConversation(id: String, to agentID: String?) async throws {
        if id == failing { throw SwitchboardError.unavailable("disk full") }
        assigned[id] = agentID
    }
}
