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

    public init(
        listen: Listen = .init(), publicURL: String? = nil, database: String = "sqlite:./switchboard.sqlite",
        defaultRegion: String = "US", adminToken: String? = nil, channels: [Channel] = [], agents: [Agent] = [],
        router: RouterSettings = .init(), notifications: NotificationSettings = .init(), limits: Limits = .init(),
        outbox: OutboxSettings = .init(), queues: [QueueSettings] = [], cluster: ClusterSettings = .init()
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
            cluster: try c.decodeIfPresent(ClusterSettings.self, forKey: .cluster) ?? .init()
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

    /// One provider account or number set that the gateway serves.
    public struct Channel: Sendable, Codable, Equatable {
        public var id: String
        public var provider: ProviderKind
        /// Our numbers on this channel; the first is the sender of replies.
        public var numbers: [String]
        /// Region for numbers a person typed on this channel; defaults to `defaultRegion`.
        public var region: String?
        public var credentials: [String: String]
        /// Overrides the provider's API root (a local fake in tests).
        public var apiBaseURL: String?
        public var queue: String
        public var capacityCost: CapacityCost
        public var replayWindowSeconds: Int?
        public var optOutKeywords: [String]
        public var optInKeywords: [String]
        /// How long the parts of a concatenated SMS are awaited before the message is delivered incomplete
        /// (Vonage; default ``defaultConcatWaitSeconds``).
        public var concatWaitSeconds: Double?
        /// The provider's send-rate limit for this channel in SMS segments per second (`nil`: not limited).
        public var maxSegmentsPerSecond: Double?
        /// Notification templates of this channel by scenario, over `notifications.templates` (CONTRACT.md §6).
        public var templates: [String: NotificationTemplate]
        /// Incoming calls (Twilio, ACS); `nil` answers them with the defaults and no bot.
        public var voice: Voice?

        public init(
            id: String, provider: ProviderKind, numbers: [String] = [], region: String? = nil,
            credentials: [String: String] = [:], apiBaseURL: String? = nil, queue: String = "default",
            capacityCost: CapacityCost = .init(), replayWindowSeconds: Int? = nil,
            optOutKeywords: [String] = Channel.defaultOptOutKeywords,
            optInKeywords: [String] = Channel.defaultOptInKeywords, concatWaitSeconds: Double? = nil,
            templates: [String: NotificationTemplate] = [:]
        ) {
            self.id = id
            self.provider = provider
            self.numbers = numbers
            self.region = region
            self.credentials = credentials
            self.apiBaseURL = apiBaseURL
            self.queue = queue
            self.capacityCost = capacityCost
            self.replayWindowSeconds = replayWindowSeconds
            self.optOutKeywords = optOutKeywords
            self.optInKeywords = optInKeywords
            self.concatWaitSeconds = concatWaitSeconds
            self.maxSegmentsPerSecond = nil
            self.templates = templates
        }

        /// The US carriers' keywords (CTIA, and the FCC's 2025 revocation rules: `REVOKE`, `OPTOUT`, `OPT OUT`).
        public static let defaultOptOutKeywords = [
            "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT",
        ]
        public static let defaultOptInKeywords = ["START", "UNSTOP", "YES"]
        public static let defaultConcatWaitSeconds: Double = 60

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                id: try c.decode(String.self, forKey: .id),
                provider: try c.decode(ProviderKind.self, forKey: .provider),
                numbers: try c.decodeIfPresent([String].self, forKey: .numbers) ?? [],
                region: try c.decodeIfPresent(String.self, forKey: .region),
                credentials: try c.decodeIfPresent([String: String].self, forKey: .credentials) ?? [:],
                apiBaseURL: try c.decodeIfPresent(String.self, forKey: .apiBaseURL),
                queue: try c.decodeIfPresent(String.self, forKey: .queue) ?? "default",
                capacityCost: try c.decodeIfPresent(CapacityCost.self, forKey: .capacityCost) ?? .init(),
                replayWindowSeconds: try c.decodeIfPresent(Int.self, forKey: .replayWindowSeconds),
                optOutKeywords: try c.decodeIfPresent([String].self, forKey: .optOutKeywords)
                    ?? Channel.defaultOptOutKeywords,
                optInKeywords: try c.decodeIfPresent([String].self, forKey: .optInKeywords)
                    ?? Channel.defaultOptInKeywords,
                concatWaitSeconds: try c.decodeIfPresent(Double.self, forKey: .concatWaitSeconds),
                templates: try c.decodeIfPresent([String: NotificationTemplate].self, forKey: .templates) ?? [:]
            )
            maxSegmentsPerSecond = try c.decodeIfPresent(Double.self, forKey: .maxSegmentsPerSecond)
            voice = try c.decodeIfPresent(Voice.self, forKey: .voice)
        }

        /// A credential value, or `nil` when absent or empty.
        public func credential(_ key: String) -> String? {
            guard let value = credentials[key], !value.isEmpty else { return nil }
            return value
        }
    }

    public struct CapacityCost: Sendable, Codable, Equatable {
        public var sms: Int
        public var voice: Int
        public init(sms: Int = 10, voice: Int = 100) {
            self.sms = sms
            self.voice = voice
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            sms = try c.decodeIfPresent(Int.self, forKey: .sms) ?? 10
            voice = try c.decodeIfPresent(Int.self, forKey: .voice) ?? 100
        }
        public func cost(of medium: Medium, record: Int) -> Int {
            switch medium {
            case .sms: sms
            case .voice: voice
            case .record: record
            }
        }
    }

    public enum Role: String, Sendable, Codable, Equatable {
        case agent
        case supervisor
    }

    public struct Agent: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var token: String?
        public var role: Role
        public var capacity: Int
        public var queues: [String]
        public var voiceEndpoint: String?

        public init(
            id: String, name: String? = nil, token: String? = nil, role: Role = .agent, capacity: Int = 100,
            queues: [String] = ["default"], voiceEndpoint: String? = nil
        ) {
            self.id = id
            self.name = name ?? id
            self.token = token
            self.role = role
            self.capacity = capacity
            self.queues = queues
            self.voiceEndpoint = voiceEndpoint
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                id: try c.decode(String.self, forKey: .id),
                name: try c.decodeIfPresent(String.self, forKey: .name),
                token: try c.decodeIfPresent(String.self, forKey: .token),
                role: try c.decodeIfPresent(Role.self, forKey: .role) ?? .agent,
                capacity: try c.decodeIfPresent(Int.self, forKey: .capacity) ?? 100,
                queues: try c.decodeIfPresent([String].self, forKey: .queues) ?? ["default"],
                voiceEndpoint: try c.decodeIfPresent(String.self, forKey: .voiceEndpoint)
            )
        }
    }

    /// `cluster`: how instances sharing a PostgreSQL database reach the leader and prove they are peers.
    public struct ClusterSettings: Sendable, Codable, Equatable {
        /// The base URL other instances use to reach this one; defaults to `http://<listen.host>:<listen.port>`.
        public var advertiseURL: String?
        /// Shared by every instance: `Authorization: Bearer` of the internal `/internal/cluster` calls.
        public var secret: String?
        public init(advertiseURL: String? = nil, secret: String? = nil) {
            self.advertiseURL = advertiseURL
            self.secret = secret
        }
    }

    /// `cluster.advertiseURL`, else `http://<listen.host>:<listen.port>`, without a trailing slash.
    public var advertiseURL: String {
        Self.trimmedPublicURL(cluster.advertiseURL ?? "http://\(listen.host):\(listen.port)")
    }

    public struct RouterSettings: Sendable, Codable, Equatable {
        public enum Mode: String, Sendable, Codable, Equatable {
            case embedded
            case remote
        }
        public var mode: Mode
        public var url: String?
        public var secret: String?
        public init(mode: Mode = .embedded, url: String? = nil, secret: String? = nil) {
            self.mode = mode
            self.url = url
            self.secret = secret
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .embedded
            url = try c.decodeIfPresent(String.self, forKey: .url)
            secret = try c.decodeIfPresent(String.self, forKey: .secret)
        }
    }

    /// `notifications` (CONTRACT.md §2, §6, §8).
    public struct NotificationSettings: Sendable, Codable, Equatable {
        public var alertTimeoutSeconds: Double
        public var showTimeout: Bool
        public var allowReject: Bool
        public var autoAccept: Bool
        public var autoAssign: Bool
        public var desktop: DesktopSetting
        public var missedNotificationSetsInactive: Bool
        public var rejectSetsDoNotDisturb: Bool
        public var maxSessions: Int
        public var maxPendingAlerts: Int
        public var maxOffersPerAgent: Int
        public var disconnectGraceSeconds: Double
        public var reconnectWindowSeconds: Double
        public var toastSeconds: Double
        public var recordCapacityCost: Int
        /// An item assigned while its agent's stream was disconnected is rerouted this long after its
        /// notification timed out, unless the agent opened it first (the seed's 8 minutes).
        public var unseenRerouteSeconds: Double
        /// Notification templates by scenario (`incoming-sms`, `case-assignment`…), over the defaults.
        public var templates: [String: NotificationTemplate]

        public init(
            alertTimeoutSeconds: Double = 120, showTimeout: Bool = true, allowReject: Bool = true,
            autoAccept: Bool = false, autoAssign: Bool = false, desktop: DesktopSetting = .background,
            missedNotificationSetsInactive: Bool = true, rejectSetsDoNotDisturb: Bool = true, maxSessions: Int = 10,
            maxPendingAlerts: Int = 1, maxOffersPerAgent: Int = 3, disconnectGraceSeconds: Double = 30,
            reconnectWindowSeconds: Double = 150, toastSeconds: Double = 10, recordCapacityCost: Int = 10,
            unseenRerouteSeconds: Double = 480, templates: [String: NotificationTemplate] = [:]
        ) {
            self.alertTimeoutSeconds = alertTimeoutSeconds
            self.showTimeout = showTimeout
            self.allowReject = allowReject
            self.autoAccept = autoAccept
            self.autoAssign = autoAssign
            self.desktop = desktop
            self.missedNotificationSetsInactive = missedNotificationSetsInactive
            self.rejectSetsDoNotDisturb = rejectSetsDoNotDisturb
            self.maxSessions = maxSessions
            self.maxPendingAlerts = maxPendingAlerts
            self.maxOffersPerAgent = maxOffersPerAgent
            self.disconnectGraceSeconds = disconnectGraceSeconds
            self.reconnectWindowSeconds = reconnectWindowSeconds
            self.toastSeconds = toastSeconds
            self.recordCapacityCost = recordCapacityCost
            self.unseenRerouteSeconds = unseenRerouteSeconds
            self.templates = templates
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = NotificationSettings()
            self.init(
                alertTimeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .alertTimeoutSeconds)
                    ?? d.alertTimeoutSeconds,
                showTimeout: try c.decodeIfPresent(Bool.self, forKey: .showTimeout) ?? d.showTimeout,
                allowReject: try c.decodeIfPresent(Bool.self, forKey: .allowReject) ?? d.allowReject,
                autoAccept: try c.decodeIfPresent(Bool.self, forKey: .autoAccept) ?? d.autoAccept,
                autoAssign: try c.decodeIfPresent(Bool.self, forKey: .autoAssign) ?? d.autoAssign,
                desktop: try c.decodeIfPresent(DesktopSetting.self, forKey: .desktop) ?? d.desktop,
                missedNotificationSetsInactive: try c.decodeIfPresent(
                    Bool.self, forKey: .missedNotificationSetsInactive) ?? d.missedNotificationSetsInactive,
                rejectSetsDoNotDisturb: try c.decodeIfPresent(Bool.self, forKey: .rejectSetsDoNotDisturb)
                    ?? d.rejectSetsDoNotDisturb,
                maxSessions: try c.decodeIfPresent(Int.self, forKey: .maxSessions) ?? d.maxSessions,
                maxPendingAlerts: try c.decodeIfPresent(Int.self, forKey: .maxPendingAlerts) ?? d.maxPendingAlerts,
                maxOffersPerAgent: try c.decodeIfPresent(Int.self, forKey: .maxOffersPerAgent) ?? d.maxOffersPerAgent,
                disconnectGraceSeconds: try c.decodeIfPresent(Double.self, forKey: .disconnectGraceSeconds)
                    ?? d.disconnectGraceSeconds,
                reconnectWindowSeconds: try c.decodeIfPresent(Double.self, forKey: .reconnectWindowSeconds)
                    ?? d.reconnectWindowSeconds,
                toastSeconds: try c.decodeIfPresent(Double.self, forKey: .toastSeconds) ?? d.toastSeconds,
                recordCapacityCost: try c.decodeIfPresent(Int.self, forKey: .recordCapacityCost)
                    ?? d.recordCapacityCost,
                unseenRerouteSeconds: try c.decodeIfPresent(Double.self, forKey: .unseenRerouteSeconds)
                    ?? d.unseenRerouteSeconds,
                templates: try c.decodeIfPresent([String: NotificationTemplate].self, forKey: .templates) ?? [:]
            )
        }
    }

    /// `queues[]`: how a queue chooses among eligible agents, and how urgent its items are.
    public struct QueueSettings: Sendable, Codable, Equatable {
        /// How the agent to offer an item to is chosen among the eligible ones. Agents offered the item fewer
        /// times always come first, so that a reject or a timeout passes it on.
        public enum Method: String, Sendable, Codable, Equatable {
            /// The most free capacity, then the least recently offered.
            case highestCapacity = "highest-capacity"
            /// The least recently offered anything.
            case roundRobin = "round-robin"
            /// The fewest active sessions, then the least recently offered.
            case leastActive = "least-active"
        }

        public var id: String
        public var method: Method
        /// Items of a higher-priority queue are offered first; within it, higher item priority, then first in.
        public var priority: Int

        public init(id: String, method: Method = .highestCapacity, priority: Int = 0) {
            self.id = id
            self.method = method
            self.priority = priority
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            method = try c.decodeIfPresent(Method.self, forKey: .method) ?? .highestCapacity
            priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        }
    }

    /// A notification template (`notifications.templates.<scenario>`, or a channel's `templates`): each field
    /// set overrides the default; `title` and field values may use the placeholders of CONTRACT.md §6.
    public struct NotificationTemplate: Sendable, Codable, Equatable {
        public var title: String?
        /// Up to four header/value lines.
        public var fields: [NotificationField]?
        public var timeoutSeconds: Double?
        public var showTimeout: Bool?
        public var allowReject: Bool?
        public var autoAssign: Bool?
        public var autoAccept: Bool?
        public var desktop: DesktopSetting?

        public init(
            title: String? = nil, fields: [NotificationField]? = nil, timeoutSeconds: Double? = nil,
            showTimeout: Bool? = nil, allowReject: Bool? = nil, autoAssign: Bool? = nil, autoAccept: Bool? = nil,
            desktop: DesktopSetting? = nil
        ) {
            self.title = title
            self.fields = fields
            self.timeoutSeconds = timeoutSeconds
            self.showTimeout = showTimeout
            self.allowReject = allowReject
            self.autoAssign = autoAssign
            self.autoAccept = autoAccept
            self.desktop = desktop
        }

        /// This template with every field `other` sets taking precedence.
        public func overridden(by other: NotificationTemplate?) -> NotificationTemplate {
            guard let other else { return self }
            return NotificationTemplate(
                title: other.title ?? title, fields: other.fields ?? fields,
                timeoutSeconds: other.timeoutSeconds ?? timeoutSeconds, showTimeout: other.showTimeout ?? showTimeout,
                allowReject: other.allowReject ?? allowReject, autoAssign: other.autoAssign ?? autoAssign,
                autoAccept: other.autoAccept ?? autoAccept, desktop: other.desktop ?? desktop)
        }
    }

    /// `limits` (CONTRACT.md §9).
    public struct Limits: Sendable, Codable, Equatable {
        public var maxBodyBytes: Int
        public var maxHeaderBytes: Int
        public var maxHeaderCount: Int
        public var maxFormParams: Int
        public var maxJSONDepth: Int
        public init(
            maxBodyBytes: Int = 1_048_576, maxHeaderBytes: Int = 65536, maxHeaderCount: Int = 100,
            maxFormParams: Int = 1000, maxJSONDepth: Int = 64
        ) {
            self.maxBodyBytes = maxBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxFormParams = maxFormParams
            self.maxJSONDepth = maxJSONDepth
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Limits()
            maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
            maxHeaderBytes = try c.decodeIfPresent(Int.self, forKey: .maxHeaderBytes) ?? d.maxHeaderBytes
            maxHeaderCount = try c.decodeIfPresent(Int.self, forKey: .maxHeaderCount) ?? d.maxHeaderCount
            maxFormParams = try c.decodeIfPresent(Int.self, forKey: .maxFormParams) ?? d.maxFormParams
            maxJSONDepth = try c.decodeIfPresent(Int.self, forKey: .maxJSONDepth) ?? d.maxJSONDepth
        }
    }

    public struct OutboxSettings: Sendable, Codable, Equatable {
        public var maxAttempts: Int
        public var maxAgeSeconds: Double
        public init(maxAttempts: Int = 10, maxAgeSeconds: Double = 86400) {
            self.maxAttempts = maxAttempts
            self.maxAgeSeconds = maxAgeSeconds
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 10
            maxAgeSeconds = try c.decodeIfPresent(Double.self, forKey: .maxAgeSeconds) ?? 86400
        }
    }
}
