import Foundation

/// What providers send, stored before their webhooks are answered: messages, their parts, delivery reports, bot
/// handoffs and calls' conversations.
public protocol InboundStore: Sendable {
    /// Stores an inbound message: dedupe by (channel, dedupe key), apply the record's ``ReplayGuard`` (throwing its
    /// `403`), link contacts by mobile number, continue the open conversation of (channel, customer) or open one,
    /// append the message.
    func recordInbound(_ record: InboundRecord) async throws -> InboundOutcome

    /// Applies a provider's delivery report: dedupe, apply the record's ``ReplayGuard``, move the message's status
    /// forward only, keep the
    /// provider's error, and on an opt-out signal mark (channel, customer) opted out. A report for a
    /// provider id not known yet is kept and applied when ``markSent(messageID:providerMessageID:at:)``
    /// records that id (status callbacks can beat the send API's answer).
    func recordDeliveryReport(_ record: DeliveryReportRecord) async throws -> DeliveryReportOutcome

    /// Stores one part of a concatenated message (`record.concatenation` set), durably, before its webhook is
    /// answered: dedupe by the part's dedupe key (and by part number within its group), apply the replay guard,
    /// keep the part. The part that completes its group turns the parts, joined in part order, into one inbound
    /// message as ``recordInbound(_:)`` does (dedupe key `concat:` + part 1's key), in the same transaction.
    func recordInboundPart(_ record: InboundRecord) async throws -> InboundPartOutcome

    /// Delivers every incomplete concatenated message of `channelID` whose first part arrived before `cutoff`:
    /// the parts it has in part order, each missing part replaced by ``ConcatenationPart/missingMarker(part:total:)``.
    /// `coreEvents` is written with each delivered message, as ``InboundRecord/coreEvents`` is.
    func flushConcatenations(
        channelID: String, firstPartBefore cutoff: Date, coreEvents: InboundCoreEvents?
    ) async throws -> [InboundOutcome]

    /// Stores a bot handoff (``HandoffRecord``); a redelivery of the same dedupe key changes nothing.
    func recordHandoff(_ record: HandoffRecord) async throws -> HandoffOutcome
    /// Replaces the context of a conversation (a voice call's id and its bot's outcome); `false` if unknown.
    @discardableResult func setConversationContext(id: String, contextJSON: String?) async throws -> Bool

    /// Continues the open conversation of (channel, customer) or opens one, without a message (an outbound
    /// message started by the contact center: `switchboard send`).
    func openConversation(_ opening: ConversationOpening) async throws -> (Conversation, opened: Bool)
}

/// An inbound message to store (``InboundStore/recordInbound(_:)``).
public struct InboundRecord: Sendable {
    public var channelID: String
    public var dedupeKey: String
    public var providerMessageID: String
    /// E.164 when the sender is a phone number, else the sender as given.
    public var customerPhone: String
    /// `false` for short codes and alphanumeric senders: they match no contact.
    public var customerIsPhoneNumber: Bool
    public var medium: Medium
    /// The queue a new conversation goes to.
    public var queue: String
    public var author: MessageAuthor
    public var text: String
    public var media: [MediaAttachment]
    public var receivedAt: Date
    /// Applied after the dedupe check, in the same transaction (``ReplayGuard``).
    public var replayGuard: ReplayGuard?
    /// The part this record is, for ``InboundStore/recordInboundPart(_:)``.
    public var concatenation: ConcatenationPart?
    /// In remote core mode, the events the stored message produces, written in the same transaction.
    public var coreEvents: InboundCoreEvents?

    public init(
        channelID: String, dedupeKey: String, providerMessageID: String, customerPhone: String,
        customerIsPhoneNumber: Bool, medium: Medium, queue: String, author: MessageAuthor = .customer, text: String,
        media: [MediaAttachment] = [], receivedAt: Date, replayGuard: ReplayGuard? = nil,
        concatenation: ConcatenationPart? = nil, coreEvents: InboundCoreEvents? = nil
    ) {
        self.channelID = channelID
        self.dedupeKey = dedupeKey
        self.providerMessageID = providerMessageID
        self.customerPhone = customerPhone
        self.customerIsPhoneNumber = customerIsPhoneNumber
        self.medium = medium
        self.queue = queue
        self.author = author
        self.text = text
        self.media = media
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
        self.concatenation = concatenation
        self.coreEvents = coreEvents
    }
}

/// The conversation to continue or open (``InboundStore/openConversation(_:)``).
public struct ConversationOpening: Sendable, Equatable {
    public var channelID: String
    /// E.164 when the customer is a phone number, else the address as given.
    public var customerPhone: String
    public var customerIsPhoneNumber: Bool
    public var medium: Medium
    public var queue: String
    public var at: Date

    public init(
        channelID: String, customerPhone: String, customerIsPhoneNumber: Bool, medium: Medium, queue: String, at: Date
    ) {
        self.channelID = channelID
        self.customerPhone = customerPhone
        self.customerIsPhoneNumber = customerIsPhoneNumber
        self.medium = medium
        self.queue = queue
        self.at = at
    }
}

/// What ``InboundStore/recordInboundPart(_:)`` did with one part.
public enum InboundPartOutcome: Sendable, Equatable {
    /// This part (or another with its number in the group) was already stored: nothing changed.
    case duplicate
    /// Stored; the message waits for its other parts.
    case waiting
    /// This part completed the message: stored as one inbound message.
    case completed(InboundOutcome)
}

public enum InboundOutcome: Sendable, Equatable {
    /// Already stored: nothing changed.
    case duplicate(conversationID: String?, messageID: String?)
    /// Stored now.
    case stored(conversation: Conversation, message: Message, openedConversation: Bool)
}

/// A delivery report to apply (``InboundStore/recordDeliveryReport(_:)``).
public struct DeliveryReportRecord: Sendable, Equatable {
    public var channelID: String
    public var dedupeKey: String
    public var providerMessageID: String
    public var status: MessageStatus
    public var error: ProviderErrorDetail?
    public var optedOut: Bool
    public var receivedAt: Date
    /// Applied after the dedupe check, in the same transaction (``ReplayGuard``).
    public var replayGuard: ReplayGuard?

    public init(
        channelID: String, dedupeKey: String, providerMessageID: String, status: MessageStatus,
        error: ProviderErrorDetail?, optedOut: Bool, receivedAt: Date, replayGuard: ReplayGuard? = nil
    ) {
        self.channelID = channelID
        self.dedupeKey = dedupeKey
        self.providerMessageID = providerMessageID
        self.status = status
        self.error = error
        self.optedOut = optedOut
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
    }
}

public enum DeliveryReportOutcome: Sendable, Equatable {
    case duplicate
    /// No message has this provider id yet; the report is kept and applied when one does.
    case pending
    /// Applied; `changed` is false when the report was late or repeated and the status stayed.
    case applied(message: Message, conversation: Conversation, changed: Bool)
}

extension InboundStore {
    /// ``flushConcatenations(channelID:firstPartBefore:coreEvents:)`` without events for a remote core.
    public func flushConcatenations(channelID: String, firstPartBefore cutoff: Date) async throws -> [InboundOutcome] {
        try await flushConcatenations(channelID: channelID, firstPartBefore: cutoff, coreEvents: nil)
    }
}
