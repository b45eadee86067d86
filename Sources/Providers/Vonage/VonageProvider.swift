import Curl
import Switchboard

/// Vonage (Nexmo) SMS API (providers.md §3).
enum VonageProvider: ProviderModule {
    static let kind: ProviderKind = .vonage
    /// `signatureSecret` is required: Switchboard accepts only signed Vonage webhooks (CONTRACT.md §1).
    static let requiredCredentials = ["apiKey", "apiSecret", "signatureSecret"]
    static let secretCredentials = ["apiSecret", "signatureSecret"]
    static let deliveryReportKind: String? = "status"
    /// Long SMS arrive as parts with `concat-ref`, `concat-part` and `concat-total` (providers.md §3.1).
    static let joinsMessageParts = true

    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {
        if channel.credentials["signatureMethod"] != nil, signatureMethod(of: channel) == nil {
            throw .invalidRequest(
                "channel \(channel.id): credentials.signatureMethod must be one of "
                    + VonageSignature.Method.allCases.map(\.rawValue).joined(separator: ", "),
                field: "credentials.signatureMethod")
        }
    }

    /// The channel's `credentials.signatureMethod` (default `md5hash`), or `nil` when it names no method.
    static func signatureMethod(of channel: Configuration.Channel) -> VonageSignature.Method? {
        guard let name = channel.credentials["signatureMethod"] else { return .md5hash }
        return VonageSignature.Method(rawValue: name.lowercased())
    }

    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        VonageWebhookAdapter(channel: channel, context: context)
    }

    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)? {
        VonageSMSAPI(channel: channel, client: client)
    }

    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        VonageFixtureSigner(channel: channel)
    }
}

extension ProviderKind {
    public static let vonage: ProviderKind = "vonage"
}
