import Foundation
import PropertyBased
import Switchboard
import Testing

@testable import Router

/// Exactly once (issue 5, item 5): random event sequences never break the router's invariants.
@Suite("Exactly once, over random event sequences")
struct ExactlyOnceProperties {
    static let agents: [Configuration.Agent] = [
        .init(id: "alice", capacity: 30), .init(id: "bob", capacity: 30, queues: ["default", "billing"]),
        .init(id: "carol", capacity: 100, queues: ["billing"]), .init(id: "sam", role: .supervisor),
    ]

    @Test(.timeLimit(.minutes(1)))
    func invariantsHoldOverRandomEventSequences() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...999_999).array(of: 1...80)) { codes in
            var run = RandomRun(
                notifications: .init(
                    alertTimeoutSeconds: 20, maxSessions: 3, disconnectGraceSeconds: 5, reconnectWindowSeconds: 15,
                    toastSeconds: 5, unseenRerouteSeconds: 30))
            for code in codes {
                run.apply(code)
                run.checkInvariants()
            }
            run.closeEverything()
            run.checkEveryAlertClosedExactlyOnce()
        }
    }
}

/// Feeds a state machine events decoded from integers and records what the invariants need.
struct RandomRun {
    var router: RouterHarness
    var itemIDs: [String] = []
    var forced: Set<String> = []
    var alerts: [String] = []
    var closings: [String: Int] = [:]
    var counter = 0
    static let actors: [RouterActor] = [.agent("alice"), .agent("bob"), .agent("carol"), .supervisor("sam"), .admin]

    init(notifications: Configuration.NotificationSettings) {
        router = RouterHarness(agents: ExactlyOnceProperties.agents, notifications: notifications)
    }

    mutating func apply(_ code: Int) {
        let pick = code / 16
        let agentID = ["alice", "bob", "carol"][pick % 3]
        let actor = Self.actors[pick % Self.actors.count]
        // Half the answers go to any notification, closed ones too, to play the losers of races.
        let pending = router.machine.notifications.values.filter { $0.isPending || pick % 2 == 1 }.map(\.id).sorted()
        let notificationID = pending.isEmpty ? "none" : pending[pick % pending.count]
        let itemID = itemIDs.isEmpty ? "none" : itemIDs[pick % itemIDs.count]
        switch code % 16 {
        case 0, 1: record(router.connect(agentID))
        case 2: record(router.step { $0.agentDisconnected(agentID, now: $1) })
        case 3, 4:
            counter += 1
            itemIDs.append("c\(counter)")
            record(router.notify("c\(counter)", priority: pick % 3, queue: pick % 2 == 0 ? "default" : "billing"))
        case 5, 6:
            let wasPending = router.machine.notifications[notificationID]?.isPending == true
            let outcome = router.machine.accept(notificationID: notificationID, by: actor, now: router.now)
            answer(notificationID, wasPending: wasPending, outcome)
        case 7:
            let wasPending = router.machine.notifications[notificationID]?.isPending == true
            let outcome = router.machine.reject(notificationID: notificationID, by: actor, now: router.now)
            answer(notificationID, wasPending: wasPending, outcome)
        case 8:
            router.advance(Double(pick % 40))
            let timers: [RoutingTimerID] = [
                .alertTimeout(notificationID: notificationID), .disconnectGrace(agentID: agentID),
                .unseenReroute(itemID: itemID),
            ]
            record(router.step { $0.timerFired(timers[pick % 3], now: $1) })
        case 9:
            let statuses: [PresenceStatus] = [.available, .busy, .dnd, .away, .offline, .inactive]
            let outcome = router.machine.setPresence(
                agentID: agentID, status: statuses[pick % statuses.count], by: actor, now: router.now)
            record(outcome.effects)
        case 10: record(router.machine.resetPresence(agentID: agentID, by: actor, now: router.now).effects)
        case 11: record(router.step { $0.closeConversation(id: itemID, reason: .closedByAgent, now: $1) })
        case 12:
            let target: TransferTarget = pick % 2 == 0 ? .agent(agentID) : .queue(pick % 4 < 2 ? "default" : "billing")
            let outcome = router.machine.transfer(
                conversationID: itemID, to: target, escalate: pick % 3 == 0, by: actor, now: router.now)
            if case .success = outcome.result, case .agent = target { forced.insert(itemID) }
            record(outcome.effects)
        case 13:
            counter += 1
            let id = "w\(counter)"
            itemIDs.append(id)
            let forcedAgent = pick % 4 == 0 ? agentID : nil
            if forcedAgent != nil { forced.insert(id) }
            let request = WorkItemRequest(
                id: id, kind: pick % 2 == 0 ? "case" : "task", title: "Item \(counter)", agentID: forcedAgent,
                priority: pick % 2)
            record(router.machine.submitWorkItem(request, now: router.now).effects)
        case 14: record(router.step { $0.opened(itemID: itemID, by: agentID, now: $1) })
        default: router.advance(Double(pick % 10))
        }
    }

    /// Losers of a race get `409` only for a notification that really is closed.
    private mutating func answer(_ id: String, wasPending: Bool, _ outcome: RoutingResult<NotificationAnswer>) {
        if case .failure(let error) = outcome.result, error.status == 409 {
            let record = router.machine.notifications[id]
            #expect(record?.isPending == false || record?.notification.kind != .alert, "409 for pending alert \(id)")
        }
        if case .success = outcome.result {
            // Only an answer to a pending alert wins, and winning closes it: no second answer can win.
            #expect(wasPending, "answer to \(id) won although it was no longer pending")
            #expect(router.machine.notifications[id]?.isPending == false)
        }
        record(outcome.effects)
    }

    private mutating func record(_ effects: [RoutingEffect]) {
        for effect in effects {
            guard case .publish(let event, _) = effect else { continue }
            switch event {
            case .notification(let notification) where notification.kind == .alert:
                alerts.append(notification.id)
            case .notificationClosed(let id, _):
                closings[id, default: 0] += 1
                #expect(closings[id] == 1, "notification \(id) closed twice")
            case .presence(_, let presence) where presence.status == .inactive:
                #expect(presence.setBy == .system, "inactive set by \(presence.setBy)")
            default: break
            }
        }
    }

    /// Never two owners; never over capacity but by forced assignment; sessions and owners agree.
    func checkInvariants() {
        let machine = router.machine
        var holders: [String: String] = [:]
        for id in machine.agentOrder {
            guard let agent = machine.agents[id] else { continue }
            for itemID in agent.sessions.keys {
                #expect(holders[itemID] == nil, "\(itemID) held by \(holders[itemID] ?? "") and \(id)")
                holders[itemID] = id
                #expect(machine.items[itemID]?.owner == id)
            }
            let holdsForced = agent.sessions.keys.contains { forced.contains($0) }
            if !holdsForced {
                #expect(agent.usedCapacity <= agent.profile.capacity, "\(id) over capacity")
            }
            if agent.presence.status == .inactive { #expect(agent.presence.setBy == .system) }
        }
        for item in machine.items.values where !item.closed {
            let itemID = item.conversationID
            if let owner = item.owner { #expect(holders[itemID] == owner) }
            #expect(item.isWaiting == (machine.items.waiting[itemID] != nil), "waiting index of \(itemID)")
            let pendingOffers = item.offers.filter { $0.outcome == nil }
            #expect(pendingOffers.count <= 1, "\(itemID) has \(pendingOffers.count) pending offers")
        }
    }

    mutating func closeEverything() {
        for id in itemIDs { record(router.step { $0.closeConversation(id: id, reason: .closedBySupervisor, now: $1) }) }
    }

    func checkEveryAlertClosedExactlyOnce() {
        for id in alerts { #expect(closings[id] == 1, "alert \(id) closed \(closings[id] ?? 0) times") }
    }
}
