import Curl
import Foundation
import Switchboard

/// One provider's entry points. Each provider folder has one type conforming to this.
protocol ProviderModule {
    /// Credential keys that must be present and non-empty.
    static var requiredCredentials: [String] { get }
    /// Further checks of the channel's settings, after the credential keys are known to be present.
    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError)
    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter
    static func api(for channel: Configuration.Channel, client: CurlClient) -> any ProviderAPI
    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner
    /// The webhook kind that receives delivery reports (`nil` when the provider reports elsewhere).
    static var deliveryReportKind: String? { get }
}

/// Maps a channel's `provider` to its adapter, send API and fixture signer.
///
/// Adding a provider is one folder with a ``ProviderModule`` and one line in ``module(for:)``.
public enum ProviderRegistry {
    static func module(for provider: ProviderKind) -> (any ProviderModule.Type)? {
        switch provider {
        case .twilio: TwilioProvider.self
        case .acs: AzureCommunicationProvider.self
        case .telnyx: TelnyxProvider.self
        case .plivo: PlivoProvider.self
        case .bandwidth: BandwidthProvider.self
        case .telesign: TeleSignProvider.self
        case .vonage: VonageProvider.self
        case .bot: BotProvider.self
        }
    }

    /// Whether Switchboard can serve channels of `provider` yet.
    public static func isSupported(_ provider: ProviderKind) -> Bool {
        module(for: provider) != nil
    }

    /// Refuses a channel whose provider is not supported or whose settings are incomplete, naming the key:
    /// `"channel twilio-main: credentials.authToken is missing"`.
    public static func validate(_ channel: Configuration.Channel) throws(SwitchboardError) {
        guard let module = module(for: channel.provider) else {
            throw .invalidRequest(
                "channel \(channel.id): provider \(channel.provider.rawValue) is not supported yet", field: "provider")
        }
        for key in module.requiredCredentials where channel.credential(key) == nil {
            throw .invalidRequest(
                "channel \(channel.id): credentials.\(key) is missing", field: "credentials.\(key)")
        }
        try module.validateSettings(channel)
    }

    /// The webhook adapter of `channel`. For a provider not supported yet it answers every request
    /// `404 not-found` (``validate(_:)`` keeps such channels out of a valid configuration).
    public static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        module(for: channel.provider)?.adapter(for: channel, context: context)
            ?? UnsupportedProviderAdapter(channel: channel)
    }

    /// The send API of `channel`. For a provider not supported yet every send fails permanently.
    public static func api(for channel: Configuration.Channel, client: CurlClient) -> any ProviderAPI {
        module(for: channel.provider)?.api(for: channel, client: client) ?? UnsupportedProviderAPI(channel: channel)
    }

    /// Signs recorded requests for `channel` like its provider would (`switchboard replay`, tests).
    public static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        module(for: channel.provider)?.signer(for: channel, context: context) ?? UnsignedFixtureSigner()
    }

    /// The webhook kind whose URL goes into sends as the status callback (`publicURL/webhooks/{id}/{kind}`):
    /// `"status"` for Twilio; `nil` for ACS, whose reports come through Event Grid (`events`), and for providers
    /// not supported yet.
    public static func deliveryReportKind(for provider: ProviderKind) -> String? {
        module(for: provider)?.deliveryReportKind
    }
}

/// Answers `404` for every webhook of a channel whose provider is not implemented yet.
struct UnsupportedProviderAdapter: WebhookAdapter {
    let channel: Configuration.Channel
    func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        throw .notFound("\(channel.id): provider \(channel.provider.rawValue) is not supported yet")
    }
}

/// Fails every send of a channel whose provider is not implemented yet.
struct UnsupportedProviderAPI: ProviderAPI {
    let channel: Configuration.Channel
    func send(_ message: OutboundMessage) async -> SendOutcome {
        .permanent(
            ProviderErrorDetail(
                code: "unsupported-provider",
                message: "\(channel.id): provider \(channel.provider.rawValue) is not supported yet"),
            optedOut: false)
    }
}
