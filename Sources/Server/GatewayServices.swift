import Foundation
import Logging
import Router
import Switchboard

/// Everything the routes need, built once at start-up from the configuration.
struct GatewayServices: Sendable {
    let configuration: Configuration
    let store: any Store
    let gateway: Gateway
    /// The router in use: one for the process's life with SQLite, the leader's latest in a cluster.
    let routers: RouterSlot
    var router: EmbeddedRouter { routers.current }
    let hub: AgentEventHub
    let adapters: [String: any WebhookAdapter]
    let metrics: Metrics
    let authenticator: TokenAuthenticator
    let clock: any WallClock
    let logger: Logger
    let heartbeatInterval: Duration
    /// This instance's part in a cluster sharing a PostgreSQL database; nil with SQLite.
    let cluster: ClusterNode?
}
