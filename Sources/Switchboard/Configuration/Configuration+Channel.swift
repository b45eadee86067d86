import Foundation

extension Configuration {
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
}
