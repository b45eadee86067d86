import Foundation

extension Configuration {
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
}
