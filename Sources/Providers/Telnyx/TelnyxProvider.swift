import Curl
import Switchboard

/// Telnyx Messaging API v2 (providers.md §4).
enum TelnyxProvider: ProviderModule {
    static let kind: ProviderKind = .telnyx
    static let requiredCredentials = ["apiKey", "publicKey"]
    /// `signingPrivateKey` is for demos and tests only: the private half of the webhook key, to sign fixtures.
    static let secretCredentials = ["apiKey", "signingPrivateKey"]
    /// Delivery reports (`message.sent`, `message.finalized`) come to the per-send `webhook_url`, `…/events`.
    static let deliveryReportKind: String? = "events"
    /// "Longer messages may be split into multiple parts, up to a maximum of 10 parts"
    /// (https://developers.telnyx.com/docs/messaging/messages/character-and-rate-limits).
    static let maxMessageLength: MessageLengthLimit? = .segments(10)
    /// `media_urls`: "up to 10 media URLs per MMS message"
    /// (https://developers.telnyx.com/docs/messaging/messages/mms-transcoding).
    static let maxMediaPerMessage = 10

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        guard TelnyxSignature.isUsablePublicKey(channel.credential("publicKey") ?? "") else {
            throw .invalidRequest(
                "channel \(channel.id): credentials.publicKey must be the Base64 Ed25519 public key from Mission "
                    + "Control (32 bytes)", field: "credentials.publicKey")
        }
        if let window = channel.replayWindowSeconds, window <= 0 {
            throw .invalidRequest(
                "channel \(channel.id): replayWindowSeconds must be positive", field: "replayWindowSeconds")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        TelnyxWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        TelnyxMessagesAPI(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        TelnyxFixtureSigner(channel: channel)
    }
}

extension ProviderKind {
    public static let telnyx: ProviderKind = "telnyx"
}
