import Curl
import Switchboard

/// Twilio Programmable Messaging (providers.md §1).
enum TwilioProvider: ProviderModule {
    static let kind: ProviderKind = .twilio
    static let requiredCredentials = ["accountSID", "authToken"]
    static let secretCredentials = ["authToken"]
    static let deliveryReportKind: String? = "status"
    /// The Messages API's `Body` limit (Twilio error 21617; https://www.twilio.com/docs/errors/21617).
    static let maxMessageLength: MessageLengthLimit? = .characters(1600)
    /// `MediaUrl`, repeated: "up to 10 media files" per message (error 21623,
    /// https://www.twilio.com/docs/messaging/api/media-resource).
    static let maxMediaPerMessage = 10

    /// Sends through a Messaging Service instead of from the channel's number (`MG` + 32 hex digits).
    static let messagingServiceKey = "messagingServiceSID"

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        if let service = channel.credential(messagingServiceKey),
            !(service.hasPrefix("MG") && service.count == 34 && service.dropFirst(2).allSatisfy(\.isHexDigit))
        {
            throw .invalidRequest(
                "channel \(channel.id): credentials.messagingServiceSID must be a Messaging Service SID (MG + 32 hex "
                    + "digits)", field: "credentials.messagingServiceSID")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        TwilioWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        TwilioMessagesAPI(channel: channel, client: client)
    }

    static func calls(for channel: Configuration.Channel, client: CurlClient) -> (any CallControl)? {
        TwilioCallControl(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        TwilioFixtureSigner(channel: channel, context: context)
    }
}

extension ProviderKind {
    public static let twilio: ProviderKind = "twilio"
}
