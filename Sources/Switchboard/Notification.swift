import Foundation

/// Why an agent is notified (CONTRACT.md §6 `scenario`).
public enum Scenario: String, Sendable, Codable, Hashable, CaseIterable {
    case incomingSMS = "incoming-sms"
    case incomingVoice = "incoming-voice"
    case botEscalation = "bot-escalation"
    case transfer
    case escalation
    case caseAssignment = "case-assignment"
    case workItem = "work-item"
    case missed
    case maxSessions = "max-sessions"
    case rejected
}

public enum NotificationKind: String, Sendable, Codable, Hashable {
    case alert
    case toast
    case banner
}

public enum DesktopSetting: String, Sendable, Codable, Hashable {
    case never
    case background
    case always
}

/// How a notification ended (`notification.closed` `outcome`).
public enum NotificationOutcome: String, Sendable, Codable, Hashable {
    case accepted
    case autoAccepted = "auto-accepted"
    case rejected
    case timedOut = "timed-out"
    case withdrawn
}

/// The customer as a notification shows them.
public struct NotificationCustomer: Sendable, Codable, Hashable {
    public var phone: String
    public var contactId: String?
    public var name: String?
    public var matchCount: Int
    public var candidateContactIds: [String]?

    public init(phone: String, match: ContactMatch) {
        self.phone = phone
        contactId = match.contact?.id
        name = match.contact?.name
        matchCount = match.count
        candidateContactIds = match.candidateIDs.isEmpty ? nil : match.candidateIDs
    }
}

/// A request to notify an agent about work (Gateway → CoreRouter).
public struct NotificationRequest: Sendable, Equatable, Codable {
    public var scenario: Scenario
    public var conversationID: String
    public var channelID: String
    public var medium: Medium
    public var queue: String
    public var customer: NotificationCustomer
    /// Bot context as JSON text, when there is one.
    public var contextJSON: String?
    /// Higher is served first.
    public var priority: Int
    public var createdAt: Date

    public init(
        scenario: Scenario, conversationID: String, channelID: String, medium: Medium, queue: String,
        customer: NotificationCustomer, contextJSON: String? = nil, priority: Int = 0, createdAt: Date
    ) {
        self.scenario = scenario
        self.conversationID = conversationID
        self.channelID = channelID
        self.medium = medium
        self.queue = queue
        self.customer = customer
        self.contextJSON = contextJSON
        self.priority = priority
        self.createdAt = createdAt
    }
}

extension NotificationRequest {
    /// The request for a conversation that needs an agent: its scenario follows its medium.
    public init(opening conversation: Conversation) {
        self.init(
            scenario: conversation.medium == .voice ? .incomingVoice : .incomingSMS, conversationID: conversation.id,
            channelID: conversation.channelID, medium: conversation.medium, queue: conversation.queue,
            customer: NotificationCustomer(phone: conversation.customerPhone, match: conversation.match),
            contextJSON: conversation.contextJSON, createdAt: conversation.createdAt)
    }
}

/// One header/value line of a notification.
public struct NotificationField: Sendable, Codable, Hashable {
    public var header: String
    public var value: String
    public init(header: String, value: String) {
        self.header = header
        self.value = value
    }
}

/// The `notification` event an agent receives (CONTRACT.md §6), encoded with the contract's names.
public struct AgentNotification: Sendable, Codable, Hashable {
    public var id: String
    public var kind: NotificationKind
    public var scenario: Scenario
    public var conversationId: String?
    public var workItemId: String?
    public var channel: Medium
    public var channelId: String?
    public var title: String
    public var fields: [NotificationField]
    public var customer: NotificationCustomer?
    /// Raw JSON of the bot context; encoded inline by the server.
    public var contextJSON: String?
    public var reason: String?
    public var allowReject: Bool
    public var autoAssign: Bool
    public var autoAccept: Bool
    public var showTimeout: Bool
    public var timeoutSeconds: Int?
    public var expiresAt: Date?
    public var desktop: DesktopSetting
    public var createdAt: Date

    public init(
        id: String, kind: NotificationKind, scenario: Scenario, conversationId: String? = nil,
        workItemId: String? = nil, channel: Medium, channelId: String? = nil, title: String,
        fields: [NotificationField], customer: NotificationCustomer? = nil, contextJSON: String? = nil,
        reason: String? = nil, allowReject: Bool, autoAssign: Bool, autoAccept: Bool, showTimeout: Bool,
        timeoutSeconds: Int? = nil, expiresAt: Date? = nil, desktop: DesktopSetting, createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.scenario = scenario
        self.conversationId = conversationId
        self.workItemId = workItemId
        self.channel = channel
        self.channelId = channelId
        self.title = title
        self.fields = fields
        self.customer = customer
        self.contextJSON = contextJSON
        self.reason = reason
        self.allowReject = allowReject
        self.autoAssign = autoAssign
        self.autoAccept = autoAccept
        self.showTimeout = showTimeout
        self.timeoutSeconds = timeoutSeconds
        self.expiresAt = expiresAt
        self.desktop = desktop
        self.createdAt = createdAt
    }
}
