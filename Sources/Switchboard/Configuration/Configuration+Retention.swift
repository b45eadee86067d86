import Foundation

extension Configuration {
    /// `retention` (CONTRACT.md §12): how long stored data is kept, in days (fractions allowed); `nil` (JSON
    /// `null`) keeps it forever. A background sweep deletes what is older (``RetentionSweeper``).
    public struct RetentionSettings: Sendable, Codable, Equatable {
        /// Messages older than this (by creation time) are deleted, in open and closed conversations alike.
        public var messagesDays: Double?
        /// Closed conversations, with their messages, are deleted this long after they closed.
        public var closedConversationsDays: Double?
        /// Dedupe keys of provider events and replay nonces older than this are forgotten. At least
        /// ``minimumDedupeDays``: providers redeliver for 24 hours.
        public var dedupeDays: Double?
        /// The router's decision log is kept this long (the log itself is not stored yet: the sweep has a hook for it,
        /// ``DecisionRetentionStore``).
        public var decisionsDays: Double?

        enum CodingKeys: String, CodingKey {
            case messagesDays, closedConversationsDays, dedupeDays, decisionsDays
        }

        /// The smallest `dedupeDays` accepted: providers redeliver for a day, so keys must outlive that.
        public static let minimumDedupeDays = 2.0

        public init(
            messagesDays: Double? = nil, closedConversationsDays: Double? = nil, dedupeDays: Double? = 7,
            decisionsDays: Double? = 7
        ) {
            self.messagesDays = messagesDays
            self.closedConversationsDays = closedConversationsDays
            self.dedupeDays = dedupeDays
            self.decisionsDays = decisionsDays
        }

        /// A key that is absent takes its default; a key given as `null` keeps that data forever.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = RetentionSettings()
            func days(_ key: CodingKeys, _ fallback: Double?) throws -> Double? {
                guard c.contains(key) else { return fallback }
                return try c.decodeNil(forKey: key) ? nil : c.decode(Double.self, forKey: key)
            }
            messagesDays = try days(.messagesDays, d.messagesDays)
            closedConversationsDays = try days(.closedConversationsDays, d.closedConversationsDays)
            dedupeDays = try days(.dedupeDays, d.dedupeDays)
            decisionsDays = try days(.decisionsDays, d.decisionsDays)
        }

        /// Writes `null` for "forever" so the effective configuration (`check-config`) shows every key.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(messagesDays, forKey: .messagesDays)
            try c.encode(closedConversationsDays, forKey: .closedConversationsDays)
            try c.encode(dedupeDays, forKey: .dedupeDays)
            try c.encode(decisionsDays, forKey: .decisionsDays)
        }

        /// The first problem with these settings, naming the key (`retention.dedupeDays`), or `nil`.
        public func problem() -> (message: String, key: String)? {
            let settings: [(String, Double?)] = [
                ("messagesDays", messagesDays), ("closedConversationsDays", closedConversationsDays),
                ("dedupeDays", dedupeDays), ("decisionsDays", decisionsDays),
            ]
            for (name, value) in settings {
                guard let value else { continue }
                guard value.isFinite, value >= 0 else {
                    return (
                        "retention.\(name) must be a number of days, 0 or more, or null (keep forever)",
                        "retention.\(name)"
                    )
                }
            }
            if let dedupeDays, dedupeDays < Self.minimumDedupeDays {
                return (
                    "retention.dedupeDays \(dedupeDays) is below 2: providers redeliver webhooks for 24 hours, "
                        + "so dedupe keys must be kept at least 2 days", "retention.dedupeDays"
                )
            }
            return nil
        }

        /// `now` minus `days`, or `nil` for "forever".
        public static func cutoff(days: Double?, now: Date) -> Date? {
            days.map { now.addingTimeInterval(-$0 * 86400) }
        }
    }
}
