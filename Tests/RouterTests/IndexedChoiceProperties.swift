import Foundation
import PropertyBased
import Switchboard
import Testing

@testable import Router

/// The free-agent index chooses the agent the rule chooses: on random states, ``RoutingStateMachine/bestAgent(for:)``
/// equals the scan of every agent (``RoutingStateMachine/bestAgentByScan(for:)``), reason included, and an agent is
/// indexed exactly while it is free for work.
@Suite("Indexed agent choice, over random states")
struct IndexedChoiceProperties {
    static let queues = ["default", "billing", "sales"]
    /// Mixed capacities (an SMS costs 10, a call 100) and queue memberships, so that the order's front is often
    /// an agent the item cannot go to.
    static let agents: [Configuration.Agent] =
        (0..<9).map { index in
            Configuration.Agent(
                id: "a\(index)", capacity: [100, 30, 250][index % 3],
                queues: Array(queues.prefix(1 + index % 3)).shuffledDeterministically(index))
        } + [.init(id: "sam", role: .supervisor, queues: queues)]

    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            Configuration.QueueSettings.Method.highestCapacity, .leastActive, .roundRobin,
        ])
    func indexedChoiceEqualsScan(method: Configuration.QueueSettings.Method) async {
        await propertyCheck(count: 150, input: Gen.int(in: 0...999_999).array(of: 1...120)) { codes in
            let configuration = Configuration(
                channels: [.init(id: "twilio-main", provider: "twilio")], agents: Self.agents,
                notifications: .init(
                    alertTimeoutSeconds: 20, rejectSetsDoNotDisturb: false, maxSessions: 4, maxPendingAlerts: 2,
                    maxOffersPerAgent: 2),
                queues: [
                    .init(id: "default", method: method), .init(id: "billing", method: .leastActive),
                    .init(id: "sales", method: .roundRobin, priority: 1),
                ])
            var machine = RoutingStateMachine(
                configuration: configuration, now: Date(timeIntervalSince1970: 1_750_000_000),
                makeNotificationID: { "n\($0)" })
            var now = Date(timeIntervalSince1970: 1_750_000_000)
            var counter = 0
            for code in codes {
                Self.apply(code, to: &machine, now: &now, counter: &counter)
                Self.checkIndexAgreesWithScan(machine)
            }
        }
    }

    /// The treap under the index keeps every key, in order, through random inserts, moves and removals.
    @Test(.timeLimit(.minutes(1)))
    func assignmentOrderMatchesASortedArray() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...999_999).array(of: 1...300)) { codes in
            var order = AssignmentOrder(method: .leastActive)
            var reference: [FreeAgentIndex.Key] = []
            let start = Date(timeIntervalSince1970: 1_750_000_000)
            for code in codes {
                let index = code % 40
                if let present = reference.firstIndex(where: { $0.index == index }) {
                    let removed = order.remove(reference.remove(at: present))
                    #expect(removed)
                }
                if code / 40 % 4 != 0 {
                    var agent = AgentState(profile: .init(id: "a\(index)", capacity: 100), now: start)
                    for session in 0..<(code / 160 % 4) { agent.sessions["s\(session)"] = 10 }
                    agent.lastOfferedAt = code / 640 % 3 == 0 ? nil : start.addingTimeInterval(Double(code / 1920 % 5))
                    let key = FreeAgentIndex.Key(agent, index: index)
                    order.insert(key)
                    reference.append(key)
                }
                reference.sort { FreeAgentIndex.precedes($0, $1, method: .leastActive) }
                #expect(order.count == reference.count)
                var seen: [FreeAgentIndex.Key] = []
                _ = order.first { key in
                    seen.append(key)
                    return false
                }
                #expect(seen == reference)
            }
        }
    }

    /// Decodes one event from an integer and applies it.
    static func apply(_ code: Int, to machine: inout RoutingStateMachine, now: inout Date, counter: inout Int) {
        let pick = code / 16
        let agentID = "a\(pick % 9)"
        let pending = machine.notifications.values.filter(\.isPending).map(\.id).sorted()
        let notificationID = pending.isEmpty ? "none" : pending[pick % pending.count]
        let open = machine.items.values.filter { !$0.closed }.map(\.conversationID).sorted()
        let itemID = open.isEmpty ? "none" : open[pick % open.count]
        now = now.addingTimeInterval(Double(pick % 3))
        switch code % 16 {
        case 0, 1: _ = machine.agentConnected(agentID, now: now)
        case 2: _ = machine.agentDisconnected(agentID, now: now)
        case 3, 4, 5:
            counter += 1
            let request = RouterHarness.request(
                "c\(counter)", priority: pick % 3, queue: queues[pick % 3], medium: pick % 5 == 0 ? .voice : .sms,
                channelID: "twilio-main", at: now)
            _ = machine.notify(request, now: now)
        case 6, 7: _ = machine.accept(notificationID: notificationID, by: .admin, now: now)
        case 8: _ = machine.reject(notificationID: notificationID, by: .admin, now: now)
        case 9, 10: _ = machine.timerFired(.alertTimeout(notificationID: notificationID), now: now)
        case 11:
            let statuses: [PresenceStatus] = [.available, .busy, .dnd, .away, .offline]
            _ = machine.setPresence(agentID: agentID, status: statuses[pick % 5], by: .admin, now: now)
        case 12: _ = machine.resetPresence(agentID: agentID, by: .admin, now: now)
        case 13: _ = machine.closeConversation(id: itemID, reason: .closedByAgent, now: now)
        case 14:
            let target: TransferTarget = pick % 2 == 0 ? .agent(agentID) : .queue(queues[pick % 3])
            _ = machine.transfer(conversationID: itemID, to: target, escalate: false, by: .admin, now: now)
        default: _ = machine.timerFired(.unseenReroute(itemID: itemID), now: now)
        }
    }

    /// For every open item, the index and the scan choose the same agent with the same reason; every agent is
    /// in the index exactly while it is free for work.
    static func checkIndexAgreesWithScan(_ machine: RoutingStateMachine) {
        for item in machine.items.values where !item.closed {
            let indexed = machine.bestAgent(for: item)
            let scanned = machine.bestAgentByScan(for: item)
            #expect(indexed?.agentID == scanned?.agentID, "agent for \(item.conversationID)")
            #expect(indexed?.why == scanned?.why, "reason for \(item.conversationID)")
        }
        let settings = machine.configuration.notifications
        for id in machine.agentOrder {
            guard let agent = machine.agents[id] else { continue }
            let free = agent.isFreeForWork(
                maxSessions: settings.maxSessions, maxPendingAlerts: settings.maxPendingAlerts)
            #expect((machine.agents.free.key(of: id) != nil) == free, "index of \(id)")
        }
    }
}

extension Array {
    /// A rotation by `seed`, so that agents list their queues in different orders.
    fileprivate func shuffledDeterministically(_ seed: Int) -> [Element] {
        isEmpty ? self : Array(self[(seed % count)...] + self[..<(seed % count)])
    }
}
