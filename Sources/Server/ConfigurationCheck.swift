import Foundation
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
            guard configuration.router.url != nil else {
                throw fail("router.url is required in remote mode", "router.url")
            }
            guard configuration.router.secret != nil else {
                throw fail("router.secret is required in remote mode", "router.secret")
            }
        }
        let n = configuration.notifications
        guard n.alertTimeoutSeconds > 0, n.maxSessions > 0, n.maxPendingAlerts > 0, n.maxOffersPerAgent > 0 else {
            throw fail(
                "notifications: alertTimeoutSeconds, maxSessions, maxPendingAlerts and maxOffersPerAgent must be positive",
                "notifications")
        }
    }
}
