/// What one channel's provider can do beyond receiving webhooks, as the use cases ask for it.
///
/// `Providers.ProviderRegistry` builds one per channel from the provider's module; the use cases ask for a
/// capability (send a message, connect a call, join message parts) and never for a provider's name, so a new
/// provider reaches every use case by offering what it can do.
public struct ChannelCapabilities: Sendable {
    /// Sends messages (agents' replies, `switchboard send`); `nil` for a channel that only receives, such as a
    /// bot's handoffs: a reply there is refused `409 cannot-send`.
    public var messages: (any ProviderAPI)?
    /// Connects held calls to agents and brings a bot into a call; `nil` for a channel without voice.
    public var calls: (any CallControl)?
    /// Long SMS arrive in parts that the gateway joins; the parts of an incomplete one are delivered after the
    /// channel's `concatWaitSeconds`.
    public var joinsMessageParts: Bool
    /// The webhook kind whose URL goes into each send as its status callback (`publicURL/webhooks/{id}/{kind}`);
    /// `nil` when the provider reports delivery elsewhere (ACS Event Grid) or not at all.
    public var deliveryReportKind: String?
    /// The longest message ``messages`` sends; `nil` when the provider documents none.
    public var maxMessageLength: MessageLengthLimit?
    /// How many media URLs (MMS) ``messages`` sends with one message; `0`: it sends none, and a reply with media is
    /// refused (``OutboundMedia``).
    public var maxMediaPerMessage: Int

    public init(
        messages: (any ProviderAPI)? = nil, calls: (any CallControl)? = nil, joinsMessageParts: Bool = false,
        deliveryReportKind: String? = nil, maxMessageLength: MessageLengthLimit? = nil, maxMediaPerMessage: Int = 0
    ) {
        self.messages = messages
        self.calls = calls
        self.joinsMessageParts = joinsMessageParts
        self.deliveryReportKind = deliveryReportKind
        self.maxMessageLength = maxMessageLength
        self.maxMediaPerMessage = maxMediaPerMessage
    }

    /// The status callback URL of a send on `channelID` (CONTRACT.md §3), or `nil`.
    public func statusCallbackURL(channelID: String, publicURL: String) -> String? {
        deliveryReportKind.map { "\(publicURL)/webhooks/\(channelID)/\($0)" }
    }
}

/// A live call the gateway holds for an agent: the provider's id of the call and what else the provider needs to
/// act on it (ACS `incomingCallContext`, and the call connection the gateway's answer opened), as the call's webhook
/// and ``CallControl/answer(_:publicURL:)`` gave them.
public struct HeldCall: Sendable, Equatable {
    public var callID: String
    public var providerContext: String?
    /// The provider's id of the gateway's own leg of the call (ACS `callConnectionId`), once answered.
    public var connectionID: String?
    /// The caller as the conversation knows it (E.164, or the provider's identity of a caller that is no phone
    /// number), for a provider that names whom to move when more than two are in the call (a bot).
    public var caller: String?

    public init(callID: String, providerContext: String?, connectionID: String? = nil, caller: String? = nil) {
        self.callID = callID
        self.providerContext = providerContext
        self.connectionID = connectionID
        self.caller = caller
    }
}

/// A provider's call control for one channel (CONTRACT.md §3 "Voice.").
public protocol CallControl: Sendable {
    /// Answers a new call so that the gateway holds it (ACS Call Automation: its callbacks go to
    /// `{publicURL}/webhooks/{channel}/…`). Returns the call as the provider now knows it (with its
    /// ``HeldCall/connectionID``). A provider whose webhook answer already holds the call (Twilio's TwiML) returns
    /// it unchanged, which is the default.
    func answer(_ call: HeldCall, publicURL: String) async throws -> HeldCall

    /// Puts the held call through to an agent's `voiceEndpoint`.
    ///
    /// - Throws: ``SwitchboardError`` naming why: an endpoint of a form this provider cannot dial, a call the
    ///   provider no longer knows, the provider's refusal.
    func connect(_ call: HeldCall, to endpoint: String) async throws

    /// Brings the channel's bot (`voice.bot.target`) into a new call that waits for it. A provider whose webhook
    /// answer already reaches the bot (Twilio's TwiML) does nothing here.
    func bringInBot(_ call: HeldCall, target: String) async throws
}

extension CallControl {
    public func answer(_ call: HeldCall, publicURL: String) async throws -> HeldCall { call }
}
