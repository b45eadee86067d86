import Curl
import Switchboard

/// Plivo Messaging (providers.md §5).
enum PlivoProvider: ProviderModule {
    static let kind: ProviderKind = .plivo
    static let requiredCredentials = ["authID", "authToken"]
    static let secretCredentials = ["authToken"]
    static let deliveryReportKind: String? = "status"
    /// `type: mms` with `media_urls` (plivo-python `Messages.create`); "up to 10 images in one MMS message"
    /// (https://support.plivo.com/hc/en-us/articles/360041856452).
    static let maxMediaPerMessage = 10

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
