import Foundation

/// What a provider's webhook told us, decoded from its wire format by `Providers`.
public enum InboundEvent: Sendable, Equatable {
    /// A message from a customer.
    case message(InboundMessage)
    /// A delivery report about one of our outbound messages.
    case status(DeliveryReport)
    /// A bot handing a customer to a human (generic `bot` provider).
    case handoff(BotHandoff)
    /// A provider's voice call webhook: an incoming call, its bot's outcome, or its end.
    case call(CallEvent)
}

/// An attachment of a message: an inbound one as the provider described it, an outbound one (MMS) as the agent
/// gave its URL.
public struct MediaAttachment: Sendable, Codable, Hashable {
    public var url: String
    /// The media type the provider reported; `nil` for an outbound attachment: the gateway never fetches the URL,
    /// the provider does and goes by what the server answers, so nothing honest can be said before.
    public var contentType: String?
    public init(url: String, contentType: String?) {
        self.url = url
        self.contentType = contentType
    }

    enum CodingKeys: String, CodingKey {
        case url, contentType
    }

    /// `contentType` is always written, `null` when unknown (CONTRACT.md §5 lists it without `?`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(url, forKey: .url)
        try c.encode(contentType, forKey: .contentType)
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
    /// The signed request's replay protection (Vonage), checked by the store inside the event's transaction.
    public var replayGuard: ReplayGuard?
    /// Set when this is one part of a concatenated SMS: the parts become one message (``Store/recordInboundPart(_:)``).
    public var concatenation: ConcatenationPart?

    public init(
        providerMessageID: String, dedupeKey: String, from: String, to: String, text: String,
        media: [MediaAttachment] = [], medium: Medium = .sms, receivedAt: Date, replayGuard: ReplayGuard? = nil,
        concatenation: ConcatenationPart? = nil
    ) {
        self.providerMessageID = providerMessageID
        self.dedupeKey = dedupeKey
        self.from = from
        self.to = to
        self.text = text
        self.media = media
        self.medium = medium
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
        self.concatenation = concatenation
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
    /// The signed request's replay protection (Vonage), checked by the store inside the event's transaction.
    public var replayGuard: ReplayGuard?

    public init(
        providerMessageID: String, dedupeKey: String, status: MessageStatus, error: ProviderErrorDetail? = nil,
        optedOut: Bool = false, receivedAt: Date, replayGuard: ReplayGuard? = nil
    ) {
        self.providerMessageID = providerMessageID
        self.dedupeKey = dedupeKey
        self.status = status
        self.error = error
        self.optedOut = optedOut
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
    }
}

/// Replay protection of a signed webhook whose signature covers a timestamp and a nonce (Vonage, CONTRACT.md
/// §3 "Replay windows"). Only the store can apply it: both rules depend on what is already stored, and the
/// nonce must be remembered in the same transaction as the event.
///
/// Inside the transaction, after the dedupe check (a stored event's redelivery always gets the duplicate's
/// success): an event ``outsideWindow`` is refused `403 timestamp-outside-window`; a ``nonce`` already
/// remembered since ``windowStart`` for another event is refused `403 nonce-reused`; otherwise the nonce is
/// remembered with the event's dedupe key.
public struct ReplayGuard: Sendable, Equatable {
    /// The signed nonce, if the request had one.
    public var nonce: String?
    /// The signed timestamp is outside the channel's replay window.
    public var outsideWindow: Bool
    /// Nonces remembered before this are forgotten (now − the replay window).
    public var windowStart: Date
    /// Which parameters to name in the refusal (`timestamp`, `nonce`).
    public var timestampField: String
    public var nonceField: String

    public init(
        nonce: String?, outsideWindow: Bool, windowStart: Date, timestampField: String = "timestamp",
        nonceField: String = "nonce"
    ) {
        self.nonce = nonce
        self.outsideWindow = outsideWindow
        self.windowStart = windowStart
        self.timestampField = timestampField
        self.nonceField = nonceField
    }

    /// The refusal of an event whose timestamp is outside the window and which is not stored yet.
    public func timestampRefusal(channelID: String) -> SwitchboardError {
        .timestampOutsideWindow(
            "\(channelID): the signed \(timestampField) is outside the replay window", field: timestampField)
    }

    /// The refusal of a new event reusing a remembered nonce.
    public func nonceRefusal(channelID: String) -> SwitchboardError {
        SwitchboardError(
            status: 403, code: "nonce-reused",
            message:
                "\(channelID): the signed \(nonceField) was already used by another request within the replay window",
            field: nonceField)
    }
}

/// One part of a concatenated (multipart) SMS: Vonage `concat-ref`, `concat-part`, `concat-total`. Parts are
/// grouped by (channel, sender, ``recipient``, ``reference``) and joined in part order.
public struct ConcatenationPart: Sendable, Equatable {
    /// Our number the parts were sent to.
    public var recipient: String
    public var reference: String
    /// 1-based.
    public var part: Int
    public var total: Int

    public init(recipient: String, reference: String, part: Int, total: Int) {
        self.recipient = recipient
        self.reference = reference
        self.part = part
        self.total = total
    }

    /// What stands in for a part that never arrived when an incomplete message is delivered.
    public static func missingMarker(part: Int, total: Int) -> String { "[part \(part) of \(total) missing]" }
}
