import Foundation
import Switchboard

/// The content of the notifications the router sends (CONTRACT.md §6): defaults for every scenario, under
/// `notifications.templates.<scenario>`, under the channel's `templates`.
enum NotificationContent {
    /// The values the placeholders of a template stand for.
    struct Placeholders {
        var values: [String: String]

        init(request: NotificationRequest, title: String? = nil, now: Date) {
            let wait = max(0, Int(now.timeIntervalSince(request.createdAt).rounded(.down)))
            values = [
                "customerName": request.customer.name ?? request.customer.phone,
                "phone": request.customer.phone,
                "channel": request.medium.rawValue,
                "channelId": request.channelID,
                "queue": request.queue,
                "waitSeconds": String(wait),
                "botTopic": Self.botTopic(request.contextJSON) ?? "",
                "title": title ?? "",
            ]
        }

        /// `{name}` replaced by its value; unknown names stay as written so that a typo shows.
        func render(_ text: String) -> String {
            var result = ""
            var rest = Substring(text)
            while let open = rest.firstIndex(of: "{") {
                result += rest[..<open]
                guard let close = rest[open...].firstIndex(of: "}") else { break }
                let name = String(rest[rest.index(after: open)..<close])
                result += values[name] ?? "{\(name)}"
                rest = rest[rest.index(after: close)...]
            }
            return result + rest
        }

        static func botTopic(_ contextJSON: String?) -> String? {
            guard let contextJSON,
                let context = try? JSONValue.parse(Array(contextJSON.utf8), maxDepth: 64, what: "bot context")
            else { return nil }
            return context["bot"]?["lastTopic"]?.stringValue
        }
    }

    /// The defaults of a scenario, as a template.
    static func defaultTemplate(
        for scenario: Scenario, settings: Configuration.NotificationSettings
    ) -> Configuration.NotificationTemplate {
        let customerFields = [
            NotificationField(header: "Customer", value: "{customerName}"),
            NotificationField(header: "Phone", value: "{phone}"),
            NotificationField(header: "Channel", value: "{channelId}"),
            NotificationField(header: "Queue", value: "{queue}"),
        ]
        let recordFields = [
            NotificationField(header: "Title", value: "{title}"), NotificationField(header: "Queue", value: "{queue}"),
        ]
        // Incoming work: an alert that counts down, per the global settings; an auto-accepted one has no countdown.
        let offer = Configuration.NotificationTemplate(
            fields: customerFields, timeoutSeconds: settings.alertTimeoutSeconds, showTimeout: settings.showTimeout,
            allowReject: settings.allowReject, autoAssign: settings.autoAssign, autoAccept: settings.autoAccept,
            desktop: settings.desktop)
        // Already assigned: no reject, no accept needed.
        let toast = Configuration.NotificationTemplate(
            timeoutSeconds: settings.toastSeconds, showTimeout: false, allowReject: false, autoAssign: true,
            autoAccept: false, desktop: settings.desktop)
        switch scenario {
        case .incomingVoice: return offer.overridden(by: .init(title: "Incoming call from {customerName}"))
        case .botEscalation:
            return offer.overridden(by: .init(title: "Escalated by the bot: {customerName} ({botTopic})"))
        case .transfer:
            return toast.overridden(by: .init(title: "Transferred to you: {customerName}", fields: customerFields))
        case .escalation:
            return toast.overridden(by: .init(title: "Escalated to you: {customerName}", fields: customerFields))
        case .caseAssignment:
            return offer.overridden(
                by: .init(
                    title: "Case assigned: {title}", fields: recordFields, allowReject: false, autoAssign: true,
                    autoAccept: false))
        case .workItem: return toast.overridden(by: .init(title: "Work item: {title}", fields: recordFields))
        default: return offer.overridden(by: .init(title: "Incoming SMS from {customerName}"))
        }
    }

    /// The template in force for a scenario on a channel: defaults, then the global template, then the channel's.
    static func template(
        for scenario: Scenario, channelID: String?, configuration: Configuration
    ) -> Configuration.NotificationTemplate {
        let settings = configuration.notifications
        return defaultTemplate(for: scenario, settings: settings)
            .overridden(by: settings.templates[scenario.rawValue])
            .overridden(by: channelID.flatMap { configuration.channel(id: $0)?.templates[scenario.rawValue] })
    }

    /// The notification for an item: an alert offering a conversation, a `case-assignment` alert or a
    /// `work-item` toast, or the toast telling a transfer's target that the conversation is theirs.
    static func notification(
        id: String, for request: NotificationRequest, title itemTitle: String?, from formerHolder: String?,
        configuration: Configuration, now: Date
    ) -> AgentNotification {
        let scenario = request.scenario
        let isRecord = request.medium == .record
        let template = template(
            for: scenario, channelID: isRecord ? nil : request.channelID, configuration: configuration)
        let placeholders = Placeholders(request: request, title: itemTitle, now: now)
        var fields = (template.fields ?? []).prefix(4).map {
            NotificationField(header: placeholders.render($0.header), value: placeholders.render($0.value))
        }
        if let formerHolder, fields.count < 4 { fields.append(NotificationField(header: "From", value: formerHolder)) }
        let kind: NotificationKind =
            switch scenario {
            case .transfer, .escalation, .workItem: .toast
            default: .alert
            }
        let autoAccept = kind == .alert && (template.autoAccept ?? false)
        let autoAssign = kind == .toast || (template.autoAssign ?? false)
        // An auto-accepted alert closes at once: it has no countdown. Toasts disappear after theirs.
        let timeout: Double? = autoAccept ? nil : template.timeoutSeconds
        return AgentNotification(
            id: id, kind: kind, scenario: scenario, conversationId: isRecord ? nil : request.conversationID,
            workItemId: isRecord ? request.conversationID : nil, channel: request.medium,
            channelId: isRecord ? nil : request.channelID, title: placeholders.render(template.title ?? ""),
            fields: Array(fields), customer: isRecord ? nil : request.customer,
            contextJSON: isRecord ? nil : request.contextJSON,
            // Assigned work (auto-assign, case, toast) cannot be rejected: it is already the agent's.
            allowReject: kind == .alert && (template.allowReject ?? true) && !autoAssign && !autoAccept,
            autoAssign: autoAssign, autoAccept: autoAccept,
            showTimeout: kind == .alert && ((template.showTimeout ?? true) || autoAccept),
            timeoutSeconds: timeout.map { Int($0.rounded(.up)) }, expiresAt: timeout.map { now.addingTimeInterval($0) },
            desktop: template.desktop ?? configuration.notifications.desktop, createdAt: now)
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
