import Foundation

/// A reply ready to go out through a provider's REST API.
public struct OutboundMessage: Sendable, Equatable {
    /// Our message id.
    public var messageID: String
    public var channelID: String
    /// The channel's number (first of `numbers`), or `nil` to let the provider choose.
    public var from: String?
    /// The customer's address (E.164 or as given).
    public var to: String
    /// May be empty when ``mediaURLs`` is not.
    public var text: String
    /// Media to send with the text (MMS), in order; empty for an SMS. Only sent on channels whose
    /// ``ChannelCapabilities/maxMediaPerMessage`` allows them.
    public var mediaURLs: [String]
    /// Stable across retries of this message (ACS `repeatabilityRequestId`).
    public var idempotencyKey: String
    /// When the message was first queued (ACS `repeatabilityFirstSent`).
    public var firstQueuedAt: Date
    /// Where the provider should send delivery reports (`publicURL/webhooks/{channel}/status` or `/events`).
    public var statusCallbackURL: String?

    public init(
        messageID: String, channelID: String, from: String?, to: String, text: String, mediaURLs: [String] = [],
        idempotencyKey: String, firstQueuedAt: Date, statusCallbackURL: String?
    ) {
        self.messageID = messageID
        self.channelID = channelID
        self.from = from
        self.to = to
        self.text = text
        self.mediaURLs = mediaURLs
        self.idempotencyKey = idempotencyKey
        self.firstQueuedAt = firstQueuedAt
        self.statusCallbackURL = statusCallbackURL
    }
}

/// How a provider answered a send.
public enum SendOutcome: Sendable, Equatable {
    /// The provider accepted the message and gave it this id.
    case accepted(providerMessageID: String)
    /// Try again later (429, 5xx, connection error); `retryAfter` seconds when the provider said so.
    case retryLater(ProviderErrorDetail, retryAfter: Double?)
    /// Will never succeed (invalid number, opted out, bad credentials).
    case permanent(ProviderErrorDetail, optedOut: Bool)
}

/// A provider's outbound API for one channel.
public protocol ProviderAPI: Sendable {
    func send(_ message: OutboundMessage) async -> SendOutcome
}
