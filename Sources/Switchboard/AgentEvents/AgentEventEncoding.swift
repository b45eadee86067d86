import Foundation

/// The JSON `data` of each agent event, with the contract's field names (CONTRACT.md §6).
package enum AgentEventEncoding {
    package static func data(of event: AgentEvent) throws -> String {
        switch event {
        case .notification(let notification):
            return try EventJSONWriter.notification(notification)
                ?? ContractJSON.string(NotificationBody(notification))
        case .notificationClosed(let id, let outcome):
            return EventJSONWriter.notificationClosed(id: id, outcome: outcome)
        case .presence(let agentID, let presence):
            return try ContractJSON.string(PresenceBody(agentId: agentID, presence: presence))
        case .message(let conversationID, let message):
            return try ContractJSON.string(
                MessageEventBody(conversationId: conversationID, message: MessageBody(message)))
        case .messageStatus(let conversationID, let messageID, let status, let error):
            return try ContractJSON.string(
                MessageStatusBody(conversationId: conversationID, messageId: messageID, status: status, error: error))
        case .conversationClosed(let conversationID, let reason):
            return try ContractJSON.string(["conversationId": conversationID, "reason": reason.rawValue])
        }
    }
}

struct PresenceBody: Encodable {
    var agentId: String
    var status: PresenceStatus
    var setBy: PresenceSetter
    var reason: String?
    var since: Date
    init(agentId: String, presence: Presence) {
        self.agentId = agentId
        status = presence.status
        setBy = presence.setBy
        reason = presence.reason
        since = presence.since
    }
}

struct MessageEventBody: Encodable {
    var conversationId: String
    var message: MessageBody
}

struct MessageStatusBody: Encodable {
    var conversationId: String
    var messageId: String
    var status: MessageStatus
    var error: ProviderErrorDetail?
}

/// `notification` event data: the domain's notification with its bot context inlined as JSON.
struct NotificationBody: Encodable {
    let notification: AgentNotification

    init(_ notification: AgentNotification) { self.notification = notification }

    enum CodingKeys: String, CodingKey {
        case id, kind, scenario, conversationId, workItemId, channel, channelId, title, fields, customer, context
        case reason, allowReject, autoAssign, autoAccept, showTimeout, timeoutSeconds, expiresAt, desktop, createdAt
    }

    func encode(to encoder: any Encoder) throws {
        let n = notification
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n.id, forKey: .id)
        try c.encode(n.kind, forKey: .kind)
        try c.encode(n.scenario, forKey: .scenario)
        try c.encodeIfPresent(n.conversationId, forKey: .conversationId)
        try c.encodeIfPresent(n.workItemId, forKey: .workItemId)
        try c.encode(n.channel, forKey: .channel)
        try c.encodeIfPresent(n.channelId, forKey: .channelId)
        try c.encode(n.title, forKey: .title)
        try c.encode(n.fields, forKey: .fields)
        try c.encodeIfPresent(n.customer, forKey: .customer)
        try c.encodeIfPresent(JSONValue(text: n.contextJSON), forKey: .context)
        try c.encodeIfPresent(n.reason, forKey: .reason)
        try c.encode(n.allowReject, forKey: .allowReject)
        try c.encode(n.autoAssign, forKey: .autoAssign)
        try c.encode(n.autoAccept, forKey: .autoAccept)
        try c.encode(n.showTimeout, forKey: .showTimeout)
        try c.encodeIfPresent(n.timeoutSeconds, forKey: .timeoutSeconds)
        try c.encodeIfPresent(n.expiresAt, forKey: .expiresAt)
        try c.encode(n.desktop, forKey: .desktop)
        try c.encode(n.createdAt, forKey: .createdAt)
    }
}

/// A message with the contract's names (CONTRACT.md §5), in `/v1` answers and in `message` events.
package struct MessageBody: Encodable {
    package let message: Message
    package init(_ message: Message) { self.message = message }

    enum CodingKeys: String, CodingKey {
        case id, direction, author, text, media, status, error, providerMessageId, createdAt, updatedAt
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(message.id, forKey: .id)
        try c.encode(message.direction, forKey: .direction)
        try c.encode(message.author, forKey: .author)
        try c.encode(message.text, forKey: .text)
        try c.encode(message.media, forKey: .media)
        try c.encode(message.status, forKey: .status)
        try c.encodeIfPresent(message.error, forKey: .error)
        try c.encode(message.providerMessageID, forKey: .providerMessageId)
        try c.encode(message.createdAt, forKey: .createdAt)
        try c.encode(message.updatedAt, forKey: .updatedAt)
    }
}
