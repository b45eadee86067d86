import Foundation
import Router
import Switchboard

/// Drives a ``RoutingStateMachine`` with a virtual clock and keeps the effects of the last step.
struct RouterHarness {
    var machine: RoutingStateMachine
    var now = Date(timeIntervalSince1970: 1_750_000_000)
    /// The effects of the last step.
    var effects: [RoutingEffect] = []

    init(
        agents: [Configuration.Agent] = [.init(id: "alice"), .init(id: "bob")],
        notifications: Configuration.NotificationSettings = .init(),
        channels: [Configuration.Channel] = [.init(id: "twilio-main", provider: "twilio")]
    ) {
        let configuration = Configuration(channels: channels, agents: agents, notifications: notifications)
        machine = RoutingStateMachine(configuration: configuration, now: now, makeNotificationID: { "n\($0)" })
    }

    mutating func advance(_ seconds: Double) { now = now.addingTimeInterval(seconds) }

    @discardableResult
    mutating func step(_ transition: (inout RoutingStateMachine, Date) -> [RoutingEffect]) -> [RoutingEffect] {
        effects = transition(&machine, now)
        return effects
    }

    @discardableResult
    mutating func connect(_ agentIDs: String...) -> [RoutingEffect] {
        var all: [RoutingEffect] = []
        for id in agentIDs { all += step { $0.agentConnected(id, now: $1) } }
        effects = all
        return all
    }

    @discardableResult
    mutating func notify(
        _ conversationID: String, priority: Int = 0, queue: String = "default", medium: Medium = .sms,
        channelID: String = "twilio-main"
    ) -> [RoutingEffect] {
        let request = Self.request(
            conversationID, priority: priority, queue: queue, medium: medium, channelID: channelID, at: now)
        return step { $0.notify(request, now: $1) }
    }

    @discardableResult
    mutating func accept(_ id: String, by actor: RouterActor) -> Result<NotificationAnswer, SwitchboardError> {
        let outcome = machine.accept(notificationID: id, by: actor, now: now)
        effects = outcome.effects
        return outcome.result
    }

    @discardableResult
    mutating func reject(_ id: String, by actor: RouterActor) -> Result<NotificationAnswer, SwitchboardError> {
        let outcome = machine.reject(notificationID: id, by: actor, now: now)
        effects = outcome.effects
        return outcome.result
    }

    @discardableResult
    mutating func setPresence(
        _ agentID: String, _ status: PresenceStatus, by actor: RouterActor
    ) -> Result<AgentSnapshot, SwitchboardError> {
        let outcome = machine.setPresence(agentID: agentID, status: status, by: actor, now: now)
        effects = outcome.effects
        return outcome.result
    }

    @discardableResult
    mutating func resetPresence(_ agentID: String, by actor: RouterActor) -> Result<AgentSnapshot, SwitchboardError> {
        let outcome = machine.resetPresence(agentID: agentID, by: actor, now: now)
        effects = outcome.effects
        return outcome.result
    }

    /// Fires the alert timer of the notification, as the runtime would at its deadline.
    @discardableResult
    mutating func timeOut(_ notificationID: String) -> [RoutingEffect] {
        step { $0.timerFired(.alertTimeout(notificationID: notificationID), now: $1) }
    }

    /// The id of the pending alert offering the conversation.
    func pendingID(_ conversationID: String) -> String? {
        machine.offers(conversationID: conversationID).last { $0.outcome == nil }?.notificationId
    }

    static func request(
        _ conversationID: String, priority: Int = 0, queue: String = "default", medium: Medium = .sms,
        channelID: String = "twilio-main", at date: Date
    ) -> NotificationRequest {
        let contact = Contact(
            id: "ct_1", name: "Ada Lovelace", mobilePhone: "+14155550100", mobilePhoneE164: "+14155550100",
            region: "US", createdAt: date)
        return NotificationRequest(
            scenario: medium == .voice ? .incomingVoice : .incomingSMS, conversationID: conversationID,
            channelID: channelID, medium: medium, queue: queue,
            customer: NotificationCustomer(phone: "+14155550100", match: ContactMatch(contacts: [contact])),
            priority: priority, createdAt: date)
    }
}

extension Array where Element == RoutingEffect {
    /// Events published to one agent, in order.
    func events(to agentID: String) -> [AgentEvent] {
        compactMap {
            if case .publish(let event, let to) = $0, to == agentID { return event }
            return nil
        }
    }

    func notifications(to agentID: String) -> [AgentNotification] {
        events(to: agentID).compactMap {
            if case .notification(let notification) = $0 { return notification }
            return nil
        }
    }

    func alerts(to agentID: String) -> [AgentNotification] {
        notifications(to: agentID).filter { $0.kind == .alert }
    }

    func closings(to agentID: String) -> [NotificationClosing] {
        events(to: agentID).compactMap {
            if case .notificationClosed(let id, let outcome) = $0 {
                return NotificationClosing(id: id, outcome: outcome)
            }
            return nil
        }
    }

    func presences(to agentID: String) -> [Presence] {
        events(to: agentID).compactMap {
            if case .presence(let id, let presence) = $0, id == agentID { return presence }
            return nil
        }
    }

    var assignments: [Assignment] {
        compactMap {
            if case .assign(let conversationID, let agentID) = $0 {
                return Assignment(conversationID: conversationID, agentID: agentID)
            }
            return nil
        }
    }

    var decisions: [RoutingDecision] {
        compactMap {
            if case .log(let decision) = $0 { return decision }
            return nil
        }
    }
}

struct NotificationClosing: Equatable {
    var id: String
    var outcome: NotificationOutcome
}

struct Assignment: Equatable {
    var conversationID: String
    var agentID: String
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
