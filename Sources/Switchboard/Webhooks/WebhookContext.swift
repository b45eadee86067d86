/// What a webhook adapter needs from the gateway's configuration besides its channel.
public struct WebhookContext: Sendable {
    /// `scheme://host[:port][/prefix]` as providers call the gateway (signatures cover it).
    public var publicURL: String
    public var limits: Configuration.Limits

    public init(publicURL: String, limits: Configuration.Limits = .init()) {
        self.publicURL = publicURL
        self.limits = limits
    }

    /// The context of a loaded configuration.
    public init(_ configuration: Configuration) {
        self.init(publicURL: configuration.publicURL, limits: configuration.limits)
    }
}
