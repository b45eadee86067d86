import Foundation
import Switchboard

/// The default content of the notifications the router sends (CONTRACT.md §6). Templates
/// (`notifications.templates.<scenario>`) will override these defaults.
enum NotificationContent {
    /// The alert offering a conversation to an agent.
    static func alert(
        id: String, for request: NotificationRequest, settings: Configuration.NotificationSettings, now: Date
    ) -> AgentNotification {
        let customerName = request.customer.name ?? request.customer.phone
        let title =
            switch request.medium {
            case .voice: "Incoming call from \(customerName)"
            case .sms, .record: "Incoming SMS from \(customerName)"
            }
        let fields = [
            NotificationField(header: "Customer", value: customerName),
            NotificationField(header: "Phone", value: request.customer.phone),
            NotificationField(header: "Channel", value: request.channelID),
            NotificationField(header: "Queue", value: request.queue),
        ]
        // An auto-accepted alert closes at once: it has no countdown.
        let timeout: Double? = settings.autoAccept ? nil : settings.alertTimeoutSeconds
        return AgentNotification(
            id: id, kind: .alert, scenario: request.scenario, conversationId: request.conversationID,
            channel: request.medium, channelId: request.channelID, title: title, fields: fields,
            customer: request.customer, contextJSON: request.contextJSON,
            // Auto-assigned work cannot be rejected: it is already the agent's.
            allowReject: settings.allowReject && !settings.autoAssign && !settings.autoAccept,
            autoAssign: settings.autoAssign, autoAccept: settings.autoAccept,
            showTimeout: settings.showTimeout || settings.autoAccept,
            timeoutSeconds: timeout.map { Int($0.rounded(.up)) },
            expiresAt: timeout.map { now.addingTimeInterval($0) }, desktop: settings.desktop, createdAt: now)
    }

    /// The banner telling an agent why the system changed its presence.
    static func banner(
        id: String, scenario: Scenario, medium: Medium, channelID: String?,
        settings: Configuration.NotificationSettings, now: Date
    ) -> AgentNotification {
        let title: String
        let reason: String
        switch scenario {
        case .missed:
            title = "You missed a notification"
            reason = "Your presence is Inactive because a notification timed out. Set your presence to get work again."
        case .maxSessions:
            title = "Maximum sessions reached"
            reason = "Your presence is Do not disturb because you hold the maximum number of sessions."
        default:
            title = "You rejected a notification"
            reason =
                "Your presence is Do not disturb because you rejected a notification. Set your presence to get work again."
        }
        return AgentNotification(
            id: id, kind: .banner, scenario: scenario, channel: medium, channelId: channelID, title: title, fields: [],
            reason: reason, allowReject: false, autoAssign: false, autoAccept: false, showTimeout: false,
            desktop: settings.desktop, createdAt: now)
    }
}
