import Foundation

/// The durable outbox of replies: queued, claimed, sent, retried or failed (the outbox worker).
public protocol OutboxStore: Sendable {
    /// Stores an agent's reply as a `queued` message and an outbox entry, in one transaction.
    func enqueueReply(_ reply: ReplyRecord) async throws -> Message
    /// Outbox entries due at `now` (queued, or retrying with `nextAttemptAt ≤ now`), oldest first.
    /// An entry left `sending` (a crash mid-request) is due again once its sending lease expired — not at once,
    /// or a worker polling during an in-flight request would send the reply twice.
    func dueOutboxItems(now: Date, limit: Int) async throws -> [OutboxItem]
    /// The earliest `nextAttemptAt` of any pending entry, for the worker's sleep.
    func nextOutboxAttempt() async throws -> Date?
    /// How many entries are pending.
    func outboxDepth() async throws -> Int
    /// Claims a due entry for one attempt: message → `sending`, attempt counted, entry not due again until the
    /// sending lease ends. Atomic: of several workers (or instances) claiming the same entry, one gets `true`;
    /// an entry not due at `at` (held by another worker, or retrying later) is left alone and gives `false`.
    @discardableResult func markSending(messageID: String, at: Date) async throws -> Bool
    /// Message → `sent` with the provider's id; outbox entry done. Applies reports that arrived early.
    func markSent(messageID: String, providerMessageID: String, at: Date) async throws -> Message
    /// Back to the outbox, due at `nextAttemptAt`; the error is kept on the entry.
    func scheduleRetry(messageID: String, nextAttemptAt: Date, error: ProviderErrorDetail) async throws
    /// Message → `failed` (or `opted-out`) with the provider's error; outbox entry done.
    func markFailed(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail, at: Date
    ) async throws
        -> Message
}

/// An agent's reply to queue (``OutboxStore/enqueueReply(_:)``).
public struct ReplyRecord: Sendable, Equatable {
    public var conversationID: String
    public var agentID: String?
    public var text: String
    /// Media URLs to send with it (MMS), stored on the message as attachments without a content type.
    public var media: [String]
    public var createdAt: Date
    public init(conversationID: String, agentID: String?, text: String, media: [String] = [], createdAt: Date) {
        self.conversationID = conversationID
        self.agentID = agentID
        self.text = text
        self.media = media
        self.createdAt = createdAt
    }

    /// The message's `media` as stored: the URLs, with no content type (``MediaAttachment/contentType``).
    public var attachments: [MediaAttachment] { media.map { MediaAttachment(url: $0, contentType: nil) } }
}

/// A reply waiting in the outbox.
public struct OutboxItem: Sendable, Equatable {
    public var messageID: String
    public var conversationID: String
    public var channelID: String
    /// The customer's address (E.164 or as given).
    public var to: String
    public var text: String
    /// The message's media URLs (MMS), read back from the message so a restart sends them too.
    public var mediaURLs: [String]
    /// Attempts made so far (each ``OutboxStore/markSending(messageID:at:)`` counts one).
    public var attempts: Int
    /// When the reply was queued: `repeatabilityFirstSent` and the age limit count from here.
    public var queuedAt: Date
    /// Stable across retries: ACS `repeatabilityRequestId`.
    public var idempotencyKey: String
    public var lastError: ProviderErrorDetail?

    public init(
        messageID: String, conversationID: String, channelID: String, to: String, text: String,
        mediaURLs: [String] = [], attempts: Int, queuedAt: Date, idempotencyKey: String,
        lastError: ProviderErrorDetail? = nil
    ) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.channelID = channelID
        self.to = to
        self.text = text
        self.mediaURLs = mediaURLs
        self.attempts = attempts
        self.queuedAt = queuedAt
        self.idempotencyKey = idempotencyKey
        self.lastError = lastError
    }
}
