import Cluster
import Foundation
import PostgresStorage
import Providers
import Switchboard

/// The checks `serve` and `check-config` run before anything starts (CONTRACT.md §1): each failure names the key.
enum ConfigurationCheck {
    static func validate(_ configuration: Configuration) throws(SwitchboardError) {
        func fail(_ message: String, _ key: String) -> SwitchboardError {
            SwitchboardError.invalidRequest(message, field: key)
        }
        guard (1...65535).contains(configuration.listen.port) || configuration.listen.port == 0 else {
            throw fail("listen.port \(configuration.listen.port) is not a TCP port", "listen.port")
        }
        guard let url = URL(string: configuration.publicURL), let scheme = url.scheme,
            ["http", "https"].contains(scheme),
            url.host != nil, url.query == nil
        else {
            throw fail("publicURL \"\(configuration.publicURL)\" must be scheme://host[:port][/prefix]", "publicURL")
        }
        guard configuration.database.hasPrefix("sqlite:") || configuration.database.hasPrefix("postgres://") else {
            throw fail("database must be sqlite:PATH or postgres://user:pass@host:port/db", "database")
        }
        if PostgresDatabaseURL.isPostgresURL(configuration.database) {
            // Names what is wrong with the URL (never its password) before anything tries to connect.
            do {
                _ = try PostgresDatabaseURL(parsing: configuration.database)
            } catch let error as SwitchboardError {
                throw error
            } catch {
                throw fail("database: \(error)", "database")
            }
        }
        try ClusterConfigurationCheck.validate(configuration)
        var channelIDs = Set<String>()
        for (index, channel) in configuration.channels.enumerated() {
            guard !channel.id.isEmpty, channel.id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else {
                throw fail(
                    "channels[\(index)].id \"\(channel.id)\" may hold only letters, digits, - and _",
                    "channels[\(index)].id")
            }
            guard channelIDs.insert(channel.id).inserted else {
                throw fail("channels[\(index)].id \"\(channel.id)\" is used by two channels", "channels[\(index)].id")
            }
            try ProviderRegistry.validate(channel)
            if let rate = channel.maxSegmentsPerSecond, !(rate > 0) {
                throw fail(
                    "channels[\(index)].maxSegmentsPerSecond must be a positive number of segments per second",
                    "channels[\(index)].maxSegmentsPerSecond")
            }
        }
        var agentIDs = Set<String>()
        var tokens = Set<String>()
        if let admin = configuration.adminToken { tokens.insert(admin) }
        for (index, agent) in configuration.agents.enumerated() {
            guard !agent.id.isEmpty, agentIDs.insert(agent.id).inserted else {
                throw fail("agents[\(index)].id \"\(agent.id)\" is empty or used twice", "agents[\(index)].id")
            }
            if let token = agent.token {
                guard tokens.insert(token).inserted else {
                    throw fail("agents[\(index)].token of \(agent.id) is not unique", "agents[\(index)].token")
                }
            }
            guard agent.capacity > 0 else {
                throw fail("agents[\(index)].capacity of \(agent.id) must be positive", "agents[\(index)].capacity")
            }
        }
        if configuration.router.mode == .remote {
            guard let url = configuration.router.url else {
                throw fail("router.url is required in remote mode", "router.url")
            }
            guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme),
                URLComponents(string: url)?.host?.isEmpty == false
            else {
                throw fail("router.url \"\(url)\" is not an http(s) URL", "router.url")
            }
            guard let secret = configuration.router.secret, !secret.isEmpty else {
                throw fail(
                    "router.secret is required in remote mode (the key that signs the core's events)", "router.secret")
            }
            guard StandardWebhookSigner.isValidSecret(secret) else {
                throw fail(
                    "router.secret must be a Standard Webhooks secret: whsec_ followed by Base64", "router.secret")
            }
            guard let token = configuration.router.token, !token.isEmpty else {
                throw fail("router.token is required in remote mode (the core's bearer token on /v1)", "router.token")
            }
            guard !tokens.contains(token), token != configuration.adminToken else {
                throw fail("router.token is also another token of the configuration", "router.token")
            }
        }
        try validateTemplates(configuration.notifications.templates, key: "notifications.templates")
        for (index, channel) in configuration.channels.enumerated() {
            try validateTemplates(channel.templates, key: "channels[\(index)].templates")
        }
        var queueIDs = Set<String>()
        for (index, queue) in configuration.queues.enumerated() where !queueIDs.insert(queue.id).inserted {
            throw fail("queues[\(index)].id \"\(queue.id)\" is used by two queues", "queues[\(index)].id")
        }
        guard configuration.notifications.unseenRerouteSeconds > 0 else {
            throw fail("notifications.unseenRerouteSeconds must be positive", "notifications.unseenRerouteSeconds")
        }
        if let (message, key) = configuration.retention.problem() { throw fail(message, key) }
        let n = configuration.notifications
        guard n.alertTimeoutSeconds > 0, n.maxSessions > 0, n.maxPendingAlerts > 0, n.maxOffersPerAgent > 0 else {
            throw fail(
                "notifications: alertTimeoutSeconds, maxSessions, maxPendingAlerts and maxOffersPerAgent must be positive",
                "notifications")
        }
    }

    /// Template keys are scenarios (CONTRACT.md §6) and a notification shows at most four fields.
    static func validateTemplates(
        _ templates: [String: Configuration.NotificationTemplate], key: String
    ) throws(SwitchboardError) {
        for (scenario, template) in templates.sorted(by: { $0.key < $1.key }) {
            guard Scenario(rawValue: scenario) != nil else {
                throw SwitchboardError.invalidRequest(
                    "\(key).\(scenario) is not a scenario; use one of "
                        + Scenario.allCases.map(\.rawValue).joined(separator: ", "),
                    field: "\(key).\(scenario)")
            }
            if let fields = template.fields, fields.count > 4 {
                throw SwitchboardError.invalidRequest(
                    "\(key).\(scenario).fields has \(fields.count) fields; a notification shows at most 4",
                    field: "\(key).\(scenario).fields")
            }
            if let timeout = template.timeoutSeconds, timeout <= 0 {
                throw SwitchboardError.invalidRequest(
                    "\(key).\(scenario).timeoutSeconds must be positive", field: "\(key).\(scenario).timeoutSeconds")
            }
        }
    }
}
