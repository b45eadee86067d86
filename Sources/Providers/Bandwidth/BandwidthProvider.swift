import Curl
import Switchboard

/// Bandwidth Messaging API v2 (README "Bandwidth"): callbacks authenticated with the messaging application's Basic
/// credentials, sends authorised with an OAuth2 client-credentials token.
enum BandwidthProvider: ProviderModule {
    static let kind: ProviderKind = .bandwidth
    static let requiredCredentials = [
        "accountID", "applicationID", "clientID", "clientSecret", "callbackUsername", "callbackPassword",
    ]
    static let secretCredentials = ["clientSecret", "callbackPassword"]
    /// `media`: external media, "Maximum of 10 attachments" (https://www.bandwidth.com/support/en/articles/12823216).
    static let maxMediaPerMessage = 10
    /// Delivery callbacks go to the messaging application's callback URL, which should be `…/events`.
    static let deliveryReportKind: String? = "events"

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        // RFC 7617: a Basic user-id cannot contain a colon, so Bandwidth could never send such a username.
        if channel.credential("callbackUsername")?.contains(":") == true {
            throw .invalidRequest(
                "channel \(channel.id): credentials.callbackUsername must not contain a colon",
                field: "credentials.callbackUsername")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        BandwidthWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        BandwidthMessagesAPI(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        BandwidthFixtureSigner(channel: channel)
    }
}

extension ProviderKind {
    public static let bandwidth: ProviderKind = "bandwidth"
}
