import Curl
import Switchboard

/// Plivo Messaging (providers.md §5).
enum PlivoProvider: ProviderModule {
    static let kind: ProviderKind = .plivo
    static let requiredCredentials = ["authID", "authToken"]
    static let secretCredentials = ["authToken"]
    static let deliveryReportKind: String? = "status"

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        if let base = channel.apiBaseURL, URLParts(base) == nil {
            throw .invalidRequest(
                "channel \(channel.id): apiBaseURL must be an absolute http(s) URL", field: "apiBaseURL")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        PlivoWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        PlivoMessagesAPI(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        PlivoFixtureSigner(channel: channel, context: context)
    }
}

extension ProviderKind {
    public static let plivo: ProviderKind = "plivo"
}
