import Foundation

/// What a reload changes (CONTRACT.md §12): the changes that apply at once, in words (`agents: added carol`,
/// `channels: twilio-us credentials`), and the keys that changed but only take effect at the next start.
public struct ConfigurationChanges: Sendable, Equatable {
    public var changes: [String] = []
    public var restartNeeded: [String] = []

    /// Keys read once at start: the listening socket and its HTTP limits, the database, the cluster, the
    /// router's mode and the remote core's address and signing key, the region the contact use cases read with.
    static let restartKeys: [(key: String, differs: @Sendable (Configuration, Configuration) -> Bool)] = [
        ("listen", { $0.listen != $1.listen }),
        ("database", { $0.database != $1.database }),
        ("cluster", { $0.cluster != $1.cluster }),
        ("router.mode", { $0.router.mode != $1.router.mode }),
        ("router.url", { $0.router.url != $1.router.url }),
        ("router.secret", { $0.router.secret != $1.router.secret }),
        ("limits", { $0.limits != $1.limits }),
        ("defaultRegion", { $0.defaultRegion != $1.defaultRegion }),
    ]

    public init(changes: [String] = [], restartNeeded: [String] = []) {
        self.changes = changes
        self.restartNeeded = restartNeeded
    }

    /// The differences between the configuration in force (`old`) and the reloaded one (`new`).
    public init(from old: Configuration, to new: Configuration) {
        restartNeeded = Self.restartKeys.filter { $0.differs(old, new) }.map(\.key)
        if old.adminToken != new.adminToken { changes.append("adminToken: rotated") }
        if old.router.token != new.router.token { changes.append("router.token: rotated") }
        if old.publicURL != new.publicURL { changes.append("publicURL: \(new.publicURL)") }
        changes += Self.entries(
            "channels", old: old.channels, new: new.channels, id: \.id, describe: Self.describeChannel)
        changes += Self.entries("agents", old: old.agents, new: new.agents, id: \.id, describe: Self.describeAgent)
        changes += Self.entries("queues", old: old.queues, new: new.queues, id: \.id) { _, _ in ["settings"] }
        if old.notifications.templates != new.notifications.templates { changes.append("notifications: templates") }
        var settings = old.notifications
        settings.templates = new.notifications.templates
        if settings != new.notifications { changes.append("notifications: settings") }
        if old.outbox != new.outbox { changes.append("outbox") }
        if old.retention != new.retention { changes.append("retention") }
    }

    /// `key: added X`, `key: removed Y` and `key: Z what, what` for the entries whose id is in both.
    static func entries<Entry: Equatable>(
        _ key: String, old: [Entry], new: [Entry], id: (Entry) -> String,
        describe: (Entry, Entry) -> [String]
    ) -> [String] {
        let before = Dictionary(old.map { (id($0), $0) }, uniquingKeysWith: { first, _ in first })
        let after = Set(new.map(id))
        var lines: [String] = []
        for entry in new {
            guard let previous = before[id(entry)] else {
                lines.append("\(key): added \(id(entry))")
                continue
            }
            if previous != entry {
                lines.append("\(key): \(id(entry)) \(describe(previous, entry).joined(separator: ", "))")
            }
        }
        for entry in old where !after.contains(id(entry)) { lines.append("\(key): removed \(id(entry))") }
        return lines
    }

    static func describeChannel(_ old: Configuration.Channel, _ new: Configuration.Channel) -> [String] {
        var what: [String] = []
        if old.provider != new.provider { what.append("provider") }
        if old.credentials != new.credentials { what.append("credentials") }
        if old.templates != new.templates { what.append("templates") }
        var rest = new
        rest.provider = old.provider
        rest.credentials = old.credentials
        rest.templates = old.templates
        if rest != old { what.append("settings") }
        return what
    }

    static func describeAgent(_ old: Configuration.Agent, _ new: Configuration.Agent) -> [String] {
        var what: [String] = []
        if old.token != new.token { what.append("token") }
        if old.role != new.role { what.append("role") }
        if old.capacity != new.capacity { what.append("capacity \(old.capacity) → \(new.capacity)") }
        if old.queues != new.queues { what.append("queues") }
        var rest = new
        rest.token = old.token
        rest.role = old.role
        rest.capacity = old.capacity
        rest.queues = old.queues
        if rest != old { what.append("profile") }
        return what
    }
}
