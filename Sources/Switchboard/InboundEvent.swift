import Foundation

/// What a provider's webhook told us, decoded from its wire format by `Providers`.
public enum InboundEvent: Sendable, Equatable {
    /// A message from a customer.
    case message(InboundMessage)
    /// A delivery report about one of our outbound messages.
    case status(DeliveryReport)
}

/// An attachment of an inbound message.
public struct MediaAttachment: Sendable, Codable, Hashable {
    public var url: String
    public var contentType: String
    public init(url: String, contentType: String) {
        self.url = url
        self.contentType = contentType
    }
}

/// A customer's message as the provider delivered it, before ingest.
public struct InboundMessage: Sendable, Equatable {
    /// The provider's id of this message (`MessageSid`, ACS `messageId`, …).
    public var providerMessageID: String
    /// The key that recognises a redelivery of the same webhook (usually the provider's event id).
    public var dedupeKey: String
    /// The sender exactly as the provider wrote it (`+14155550100`, `447700900001`, `whatsapp:+…`, `MyBrand`).
    public var from: String
    /// Our number the customer wrote to, as the provider wrote it.
    public var to: String
    public var text: String
    public var media: [MediaAttachment]
    public var medium: Medium
    public var receivedAt: Date

    public init(
        providerMessageID: String, dedupeKey: String, from: String, to: String, text: String,
        media: [MediaAttachment] = [], medium: Medium = .sms, receivedAt: Date
    ) {
        self.providerMessageID = providerMessageID
        self.dedupeKey = dedupeKey
        self.from = from
        self.to = to
        self.text = text
        self.media = media
        self.medium = medium
        self.receivedAt = receivedAt
    }
}

/// A provider's report on an outbound message.
public struct DeliveryReport: Sendable, Equatable {
    /// The provider's id of the outbound message, as its send API returned it.
    public var providerMessageID: String
    /// The key that recognises a redelivery of the same report (message id + status).
    public var dedupeKey: String
    public var status: MessageStatus
    public var error: ProviderErrorDetail?
    /// The provider says the customer opted out (Twilio 21610, Telnyx 40300, …).
    public var optedOut: Bool
    public var receivedAt: Date

    public init(
        providerMessageID: String, dedupeKey: String, status: MessageStatus, error: ProviderErrorDetail? = nil,
        optedOut: Bool = false, receivedAt: Date
    ) {
        self.providerMessageID = providerMessageID
        self.dedupeKey = dedupeKey
        self.status = status
        self.error = error
        self.optedOut = optedOut
        self.receivedAt = receivedAt
    }
}
