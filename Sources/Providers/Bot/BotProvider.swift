import Curl
import Switchboard

/// Generic bot handoff (CONTRACT.md §4): any bot platform hands a caller or a messaging customer to a human.
/// Switchboard sends nothing to a bot: it has no send API, so replies in its conversations are refused.
enum BotProvider: ProviderModule {
    static let kind: ProviderKind = .bot
    static let requiredCredentials = ["secret"]
    static let secretCredentials = ["secret"]
    static let deliveryReportKind: String? = nil

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        guard StandardWebhookSignature.key(fromSecret: channel.credential("secret") ?? "") != nil else {
            throw .invalidRequest(
                "channel \(channel.id): credentials.secret must be a Standard Webhooks secret (whsec_<Base64>)",
                field: "credentials.secret")
        }
        if let window = channel.replayWindowSeconds, window <= 0 {
            throw .invalidRequest(
                "channel \(channel.id): replayWindowSeconds must be positive", field: "replayWindowSeconds")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        BotWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        nil
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        BotFixtureSigner(channel: channel)
    }
}

extension ProviderKind {
    public static let bot: ProviderKind = "bot"
}
