import Curl
import Switchboard

/// Azure Communication Services SMS through Event Grid (providers.md §2).
enum AzureCommunicationProvider: ProviderModule {
    static let kind: ProviderKind = .acs
    static let requiredCredentials = ["endpoint", "accessKey", "eventGridSecret"]
    static let secretCredentials = ["accessKey", "eventGridSecret"]
    /// Delivery reports arrive as Event Grid events on `events`, not at a per-send callback URL.
    static let deliveryReportKind: String? = nil

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        guard AzureHMACSigner(accessKey: channel.credential("accessKey") ?? "") != nil else {
            throw .invalidRequest(
                "channel \(channel.id): credentials.accessKey is not Base64 (copy it from the connection string)",
                field: "credentials.accessKey")
        }
        let endpoint = channel.credential("endpoint") ?? ""
        guard URLParts(endpoint) != nil else {
            throw .invalidRequest(
                "channel \(channel.id): credentials.endpoint must be an absolute URL like "
                    + "https://<resource>.communication.azure.com", field: "credentials.endpoint")
        }
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        AzureEventGridAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        AzureSMSAPI(channel: channel, client: client)
    }

    static func calls(for channel: Configuration.Channel, client: CurlClient) -> (any CallControl)? {
        AzureCallControl(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        AzureFixtureSigner(channel: channel)
    }
}

extension ProviderKind {
    public static let acs: ProviderKind = "acs"
}
