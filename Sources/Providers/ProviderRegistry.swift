import Curl
import Foundation
import Switchboard

/// One provider's entry points. Each provider folder has one type conforming to this; what only some providers
/// can do (send, connect calls, join message parts, send media) has a default that says "cannot".
protocol ProviderModule: Sendable {
    /// The `provider` name channels of this provider give in the config.
    static var kind: ProviderKind { get }
    /// Credential keys that must be present and non-empty.
    static var requiredCredentials: [String] { get }
    /// Credential keys that hold secrets (CONTRACT.md §2, marked *): masked by `check-config`.
    static var secretCredentials: [String] { get }
    /// Further checks of the channel's settings, after the credential keys are known to be present.
    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError)
    static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter
    static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner
    /// The send API; `nil` for a provider Switchboard sends nothing to.
    static func api(for channel: Configuration.Channel, client: CurlClient) -> (any ProviderAPI)?
    /// Call control; `nil` for a provider without voice.
    static func calls(for channel: Configuration.Channel, client: CurlClient) -> (any CallControl)?
    /// Whether long SMS arrive in parts that the gateway joins.
    static var joinsMessageParts: Bool { get }
    /// The webhook kind that receives delivery reports (`nil` when the provider reports elsewhere).
    static var deliveryReportKind: String? { get }
    /// The longest message the send API takes (`nil`: none documented).
    static var maxMessageLength: MessageLengthLimit? { get }
    /// How many media URLs (MMS) the send API takes with one message, as the provider documents it; `0`: none.
    static var maxMediaPerMessage: Int { get }
}

extension ProviderModule {
    static func validateSettings(_ channel: Configuration.Channel) throws(SwitchboardError) {}
    static func calls(for channel: Configuration.Channel, client: CurlClient) -> (any CallControl)? { nil }
    static var joinsMessageParts: Bool { false }
    static var maxMessageLength: MessageLengthLimit? { nil }
    static var maxMediaPerMessage: Int { 0 }
}

/// Maps a channel's `provider` to its adapter, capabilities and fixture signer.
///
/// Adding a provider is one folder with a ``ProviderModule`` and one line in ``modules``.
public enum ProviderRegistry {
    /// Every provider Switchboard serves.
    static let modules: [any ProviderModule.Type] = [
        TwilioProvider.self,
        AzureCommunicationProvider.self,
        TeleSignProvider.self,
        VonageProvider.self,
        TelnyxProvider.self,
        PlivoProvider.self,
        BotProvider.self,
        BandwidthProvider.self,
    ]

    private static let byKind: [ProviderKind: any ProviderModule.Type] = Dictionary(
        uniqueKeysWithValues: modules.map { ($0.kind, $0) })

    /// The names of every provider Switchboard serves, in registration order.
    public static var providers: [ProviderKind] { modules.map { $0.kind } }

    static func module(for provider: ProviderKind) -> (any ProviderModule.Type)? {
        byKind[provider]
    }

    /// Every provider's secret credential keys, for ``Switchboard/ConfigurationLoader/maskedJSON(_:secretCredentialKeys:)``.
    public static var secretCredentialKeys: Set<String> {
        Set(modules.flatMap { $0.secretCredentials })
    }

    /// Whether Switchboard can serve channels of `provider`.
    public static func isSupported(_ provider: ProviderKind) -> Bool {
        module(for: provider) != nil
    }

    /// Refuses a channel whose provider is not supported or whose settings are incomplete, naming the key:
    /// `"channel twilio-main: credentials.authToken is missing"`.
    public static func validate(_ channel: Configuration.Channel) throws(SwitchboardError) {
        guard let module = module(for: channel.provider) else {
            throw .invalidRequest(
                "channel \(channel.id): provider \(channel.provider.rawValue) is not supported; use one of "
                    + providers.map(\.rawValue).joined(separator: ", "), field: "provider")
        }
        for key in module.requiredCredentials where channel.credential(key) == nil {
            throw .invalidRequest(
                "channel \(channel.id): credentials.\(key) is missing", field: "credentials.\(key)")
        }
        try module.validateSettings(channel)
        if let base = channel.apiBaseURL, URLParts(base) == nil {
            throw .invalidRequest(
                "channel \(channel.id): apiBaseURL must be an absolute http(s) URL", field: "apiBaseURL")
        }
    }

    /// The webhook adapter of `channel`. For a provider not supported it answers every request `404 not-found`
    /// (``validate(_:)`` keeps such channels out of a valid configuration).
    public static func adapter(for channel: Configuration.Channel, context: WebhookContext) -> any WebhookAdapter {
        module(for: channel.provider)?.adapter(for: channel, context: context)
            ?? UnsupportedProviderAdapter(channel: channel)
    }

    /// The webhook adapter of every channel of `configuration`, by channel id.
    public static func adapters(of configuration: Configuration) -> [String: any WebhookAdapter] {
        let context = WebhookContext(configuration)
        var adapters: [String: any WebhookAdapter] = [:]
        for channel in configuration.channels { adapters[channel.id] = adapter(for: channel, context: context) }
        return adapters
    }

    /// What `channel`'s provider can do, for the use cases. A provider not supported can do nothing.
    public static func capabilities(for channel: Configuration.Channel, client: CurlClient) -> ChannelCapabilities {
        guard let module = module(for: channel.provider) else { return ChannelCapabilities() }
        return ChannelCapabilities(
            messages: module.api(for: channel, client: client), calls: module.calls(for: channel, client: client),
            joinsMessageParts: module.joinsMessageParts, deliveryReportKind: module.deliveryReportKind,
            maxMessageLength: module.maxMessageLength, maxMediaPerMessage: module.maxMediaPerMessage)
    }

    /// The capabilities of every channel of `configuration`, by channel id.
    public static func capabilities(
        of configuration: Configuration, client: CurlClient
    ) -> [String: ChannelCapabilities] {
        var capabilities: [String: ChannelCapabilities] = [:]
        for channel in configuration.channels {
            capabilities[channel.id] = Self.capabilities(for: channel, client: client)
        }
        return capabilities
    }

    /// The webhook kind whose URL goes into sends as the status callback (`publicURL/webhooks/{id}/{kind}`):
    /// `"status"` for Twilio; `nil` for ACS, whose reports come through Event Grid (`events`).
    public static func deliveryReportKind(for provider: ProviderKind) -> String? {
        module(for: provider)?.deliveryReportKind
    }

    /// Signs recorded requests for `channel` like its provider would (`switchboard replay`, tests).
    public static func signer(for channel: Configuration.Channel, context: WebhookContext) -> any FixtureSigner {
        module(for: channel.provider)?.signer(for: channel, context: context) ?? UnsignedFixtureSigner()
    }
}

/// Answers `404` for every webhook of a channel whose provider is not implemented.
struct UnsupportedProviderAdapter: WebhookAdapter {
    let channel: Configuration.Channel
    func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        throw .notFound("\(channel.id): provider \(channel.provider.rawValue) is not supported")
    }
}
