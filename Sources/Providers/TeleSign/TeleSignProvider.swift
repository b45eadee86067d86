import Curl
import Switchboard

/// TeleSign Messaging (providers.md §6).
enum TeleSignProvider: ProviderModule {
    static let kind: ProviderKind = .telesign
    static let requiredCredentials = ["customerID", "apiKey"]
    static let secretCredentials = ["apiKey"]
    /// Reports go to the callback URL registered with TeleSign (point it at `…/webhooks/{id}/status`).
    static let deliveryReportKind: String? = nil

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        guard TeleSignSignature.keyBytes(apiKey: channel.credential("apiKey") ?? "") != nil else {
            throw .invalidRequest(
                "channel \(channel.id): credentials.apiKey is not Base64 (copy it from the TeleSign portal)",
                field: "credentials.apiKey")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        TeleSignWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        TeleSignMessagingAPI(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        TeleSignFixtureSigner(channel: channel)
    }
}

extension ProviderKind {
    public static let telesign: ProviderKind = "telesign"
}
