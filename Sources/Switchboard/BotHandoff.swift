import Foundation

/// A bot handing a customer to a human (CONTRACT.md §4), decoded by `Providers` from the generic `bot` webhook.
public struct BotHandoff: Sendable, Equatable {
    /// The key that recognises a redelivery (the Standard Webhooks `webhook-id`).
    public var dedupeKey: String
    /// The customer exactly as the bot wrote it (`customer.phone`).
    public var customerPhone: String
    /// `voice` or `sms`: the medium of the conversation it opens.
    public var medium: Medium
    /// What the bot and the customer said, oldest first; stored as messages of the conversation.
    public var transcript: [TranscriptLine]
    /// The conversation context kept as JSON text: `{"bot": {…}, "reason", "priority", "transcript": […]}`.
    public var contextJSON: String
    /// Higher is served first.
    public var priority: Int
    public var receivedAt: Date
    /// The signed request's replay protection, checked by the store inside the event's transaction.
    public var replayGuard: ReplayGuard?

    public init(
        dedupeKey: String, customerPhone: String, medium: Medium, transcript: [TranscriptLine], contextJSON: String,
        priority: Int = 0, receivedAt: Date, replayGuard: ReplayGuard? = nil
    ) {
        self.dedupeKey = dedupeKey
        self.customerPhone = customerPhone
        self.medium = medium
        self.transcript = transcript
        self.contextJSON = contextJSON
        self.priority = priority
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
    }
}

/// One line of a bot conversation's transcript.
public struct TranscriptLine: Sendable, Equatable {
    /// `bot` or `customer`.
    public var author: MessageAuthor
    public var text: String

    public init(author: MessageAuthor, text: String) {
        self.author = author
        self.text = text
    }
}

/// A bot handoff to store (``Store/recordHandoff(_:)``): in one transaction the dedupe check, the replay guard, the
/// conversation opened or continued, the transcript appended as messages and the context set.
public struct HandoffRecord: Sendable, Equatable {
    public var channelID: String
    public var dedupeKey: String
    /// E.164 when the customer is a phone number, else the address as given.
    public var customerPhone: String
    public var customerIsPhoneNumber: Bool
    public var medium: Medium
    /// The queue a new conversation goes to.
    public var queue: String
    public var transcript: [TranscriptLine]
    public var contextJSON: String
    public var receivedAt: Date
    public var replayGuard: ReplayGuard?

    public init(
        channelID: String, dedupeKey: String, customerPhone: String, customerIsPhoneNumber: Bool, medium: Medium,
        queue: String, transcript: [TranscriptLine], contextJSON: String, receivedAt: Date,
        replayGuard: ReplayGuard? = nil
    ) {
        self.channelID = channelID
        self.dedupeKey = dedupeKey
        self.customerPhone = customerPhone
        self.customerIsPhoneNumber = customerIsPhoneNumber
        self.medium = medium
        self.queue = queue
        self.transcript = transcript
        self.contextJSON = contextJSON
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
    }
}

/// What ``Store/recordHandoff(_:)`` did.
public enum HandoffOutcome: Sendable, Equatable {
    /// The same handoff was stored before: nothing changed. The conversation it opened or continued.
    case duplicate(conversationID: String)
    /// Stored now; the conversation carries the new context.
    case stored(conversation: Conversation, openedConversation: Bool)
}
