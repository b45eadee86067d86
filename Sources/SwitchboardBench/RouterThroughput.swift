import Foundation
import Router
import Switchboard

/// Decisions per second of the routing state machine alone (no I/O): `agents` agents in 10 queues and
/// `waiting` items waiting for them, then a steady churn where agents come free, are offered the most urgent
/// item, accept it and close it. Bounded by `seconds`.
struct RouterThroughput {
    var agents = 10_000
    var waiting = 100_000
    var seconds = 10.0

    struct Report {
        var setupSeconds: Double
        var transitions: Int
        var decisions: Int
        var elapsed: Double
        var waitingAtEnd: Int
    }

    func run() -> Report {
        let queues = (0..<10).map { "q\($0)" }
        let profiles = (0..<agents).map { Configuration.Agent(id: "a\($0)", queues: [queues[$0 % queues.count]]) }
        let configuration = Configuration(
            channels: [.init(id: "sms", provider: .twilio)], agents: profiles,
            notifications: .init(maxSessions: 10))
        var now = Date(timeIntervalSince1970: 1_750_000_000)
        let setupStart = ContinuousClock.now
        var machine = RoutingStateMachine(configuration: configuration, now: now, makeNotificationID: { "n\($0)" })
        // Every agent signed in and away, so that every item waits.
        for profile in profiles {
            _ = machine.agentConnected(profile.id, now: now)
            _ = machine.setPresence(agentID: profile.id, status: .away, by: .agent(profile.id), now: now)
        }
        for index in 0..<waiting {
            let request = NotificationRequest(
                scenario: .incomingSMS, conversationID: "c\(index)", channelID: "sms", medium: .sms,
                queue: queues[index % queues.count],
                customer: NotificationCustomer(
                    phone: "+1415555\(String(format: "%04d", index % 10_000))",
                    match: ContactMatch(count: 0, contact: nil, candidateIDs: [])),
                priority: index % 3, createdAt: now)
            _ = machine.notify(request, now: now)
        }
        let setupSeconds = seconds(since: setupStart)

        // Churn: an agent becomes available (offered the most urgent item of its queue), accepts, closes it.
        var transitions = 0
        var decisions = 0
        let start = ContinuousClock.now
        var agentIndex = 0
        while seconds(since: start) < self.seconds {
            let agentID = profiles[agentIndex % profiles.count].id
            agentIndex += 1
            now = now.addingTimeInterval(0.001)
            var effects = machine.setPresence(agentID: agentID, status: .available, by: .agent(agentID), now: now)
                .effects
            let offered = effects.compactMap { effect -> String? in
                if case .publish(.notification(let n), _) = effect, n.kind == .alert { return n.id }
                return nil
            }
            for id in offered {
                let accepted = machine.accept(notificationID: id, by: .agent(agentID), now: now)
                effects += accepted.effects
                if let conversationID = try? accepted.result.get().conversationId {
                    effects += machine.closeConversation(id: conversationID, reason: .closedByAgent, now: now)
                }
            }
            effects += machine.setPresence(agentID: agentID, status: .away, by: .agent(agentID), now: now).effects
            transitions += 2 + offered.count * 2
            decisions += effects.count { if case .log = $0 { true } else { false } }
        }
        return Report(
            setupSeconds: setupSeconds, transitions: transitions, decisions: decisions,
            elapsed: seconds(since: start), waitingAtEnd: machine.waitingConversations().count)
    }

    /// Items offered per second when every agent is available with room for many alerts, so that each new item
    /// is offered at once: the best agent is the front of the queue's free-agent index. Bounded by `seconds`.
    func offersWithEveryAgentAvailable(seconds: Double) -> (offers: Int, elapsed: Double) {
        let profiles = (0..<agents).map { Configuration.Agent(id: "a\($0)", capacity: 1_000_000, queues: ["q"]) }
        let configuration = Configuration(
            channels: [.init(id: "sms", provider: .twilio)], agents: profiles,
            notifications: .init(maxSessions: 1_000_000, maxPendingAlerts: 1_000_000))
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        var machine = RoutingStateMachine(configuration: configuration, now: now, makeNotificationID: { "n\($0)" })
        for profile in profiles { _ = machine.agentConnected(profile.id, now: now) }
        let start = ContinuousClock.now
        var offers = 0
        while self.seconds(since: start) < seconds {
            let effects = machine.notify(
                NotificationRequest(
                    scenario: .incomingSMS, conversationID: "c\(offers)", channelID: "sms", medium: .sms, queue: "q",
                    customer: NotificationCustomer(
                        phone: "+14155550100", match: ContactMatch(count: 0, contact: nil, candidateIDs: [])),
                    priority: 0, createdAt: now), now: now)
            offers += effects.count { if case .publish(.notification, _) = $0 { true } else { false } }
        }
        return (offers, self.seconds(since: start))
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
