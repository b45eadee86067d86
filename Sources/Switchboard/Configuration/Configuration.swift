import Foundation

/// The gateway's configuration (CONTRACT.md §2), read once and passed down. Every key has the contract's
/// default, so `{}` is a valid configuration.
public struct Configuration: Sendable, Codable, Equatable {
    public var listen: Listen
    /// `scheme://host[:port][/prefix]` as providers call the gateway; no trailing slash.
    public var publicURL: String
    public var database: String
    public var defaultRegion: String
    public var adminToken: String?
    public var channels: [Channel]
    public var agents: [Agent]
    public var router: RouterSettings
    public var notifications: NotificationSettings
    public var limits: Limits
    public var outbox: OutboxSettings
    /// Per-queue routing settings; a queue not listed uses the defaults of ``QueueSettings``.
    public var queues: [QueueSettings]
    /// Several instances sharing one PostgreSQL database (README "Scaling out").
    public var cluster: ClusterSettings
    /// How long stored data is kept (CONTRACT.md §12).
    public var retention: RetentionSettings

    public init(
        listen: Listen = .init(), publicURL: String? = nil, database: String = "sqlite:./switchboard.sqlite",
        defaultRegion: String = "US", adminToken: String? = nil, channels: [Channel] = [], agents: [Agent] = [],
        router: RouterSettings = .init(), notifications: NotificationSettings = .init(), limits: Limits = .init(),
        outbox: OutboxSettings = .init(), queues: [QueueSettings] = [], cluster: ClusterSettings = .init(),
        retention: RetentionSettings = .init()
    ) {
        self.listen = listen
        self.publicURL = Self.trimmedPublicURL(publicURL ?? "http://\(listen.host):\(listen.port)")
        self.database = database
        self.defaultRegion = defaultRegion
        self.adminToken = adminToken
        self.channels = channels
        self.agents = agents
        self.router = router
        self.notifications = notifications
        self.limits = limits
        self.outbox = outbox
        self.queues = queues
        self.cluster = cluster
        self.retention = retention
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let listen = try c.decodeIfPresent(Listen.self, forKey: .listen) ?? .init()
        self.init(
            listen: listen,
            publicURL: try c.decodeIfPresent(String.self, forKey: .publicURL),
            database: try c.decodeIfPresent(String.self, forKey: .database) ?? "sqlite:./switchboard.sqlite",
            defaultRegion: try c.decodeIfPresent(String.self, forKey: .defaultRegion) ?? "US",
            adminToken: try c.decodeIfPresent(String.self, forKey: .adminToken),
            channels: try c.decodeIfPresent([Channel].self, forKey: .channels) ?? [],
            agents: try c.decodeIfPresent([Agent].self, forKey: .agents) ?? [],
            router: try c.decodeIfPresent(RouterSettings.self, forKey: .router) ?? .init(),
            notifications: try c.decodeIfPresent(NotificationSettings.self, forKey: .notifications) ?? .init(),
            limits: try c.decodeIfPresent(Limits.self, forKey: .limits) ?? .init(),
            outbox: try c.decodeIfPresent(OutboxSettings.self, forKey: .outbox) ?? .init(),
            queues: try c.decodeIfPresent([QueueSettings].self, forKey: .queues) ?? [],
            cluster: try c.decodeIfPresent(ClusterSettings.self, forKey: .cluster) ?? .init(),
            retention: try c.decodeIfPresent(RetentionSettings.self, forKey: .retention) ?? .init()
        )
    }

    static func trimmedPublicURL(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    public func channel(id: String) -> Channel? { channels.first { $0.id == id } }
    /// The settings of a queue: its entry in `queues`, else the defaults.
    public func queue(id: String) -> QueueSettings { queues.first { $0.id == id } ?? QueueSettings(id: id) }
    public func agent(id: String) -> Agent? { agents.first { $0.id == id } }

    public struct Listen: Sendable, Codable, Equatable {
        public var host: String
        public var port: Int
        /// After SIGTERM, how long the gateway keeps serving with `/readyz` answering `503` before it stops
        /// accepting connections, so that a load balancer stops sending first (0: stop draining at once; in-flight
        /// work still finishes either way).
        public var drainSeconds: Double
        public init(host: String = "127.0.0.1", port: Int = 8080, drainSeconds: Double = 0) {
            self.host = host
            self.port = port
            self.drainSeconds = drainSeconds
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
            port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 8080
            drainSeconds = try c.decodeIfPresent(Double.self, forKey: .drainSeconds) ?? 0
        }
    }
}
