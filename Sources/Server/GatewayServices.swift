import Cluster
import Foundation
import Logging
import Router
import Switchboard

/// Everything the routes need, built once at start-up by the composition root (`GatewayAssembly`): the use
/// cases, the router's agent API, the agent-event hub, each channel's webhook adapter.
public struct GatewayServices: Sendable {
    /// The configuration, tokens and webhook adapters in force, which a reload replaces.
    public let serving: ServingState
    var configuration: Configuration { serving.configuration }
    let gateway: Gateway
    let contacts: Contacts
    /// `DELETE /v1/customers/{phone}`.
    let erasure: CustomerErasure
    let health: Health
    /// The router in use: one for the process's life with SQLite, the leader's latest in a cluster.
    let routers: RouterSlot
    var router: EmbeddedRouter { routers.current }
    let hub: AgentEventHub
    /// Where agents' streams sign in and out: the router here, or the cluster's leader.
    let streams: any AgentStreamSessions
    var adapters: [String: any WebhookAdapter] { serving.adapters }
    let metrics: Metrics
    var authenticator: TokenAuthenticator { serving.authenticator }
    /// `POST /v1/admin/reload` and `SIGHUP`; without one the route answers `404`.
    public var reloader: (any ConfigurationReloader)?
    let clock: any WallClock
    let logger: Logger
    /// Between two keep-alive comments on an agent's stream (``SwitchboardServer/Options/heartbeatInterval``).
    var heartbeatInterval: Duration = .seconds(15)
    /// Ticks every open stream's heartbeat.
    let heartbeats = HeartbeatTicker()
    /// This instance's part in a cluster sharing a PostgreSQL database; nil with SQLite.
    let cluster: ClusterNode?
    /// Set at SIGTERM: `/readyz` answers `503` from then on.
    let draining = Draining()

    public init(
        configuration: Configuration, gateway: Gateway, contacts: Contacts, erasure: CustomerErasure, health: Health,
        routers: RouterSlot,
        hub: AgentEventHub,
        adapters: [String: any WebhookAdapter], metrics: Metrics, clock: any WallClock, logger: Logger,
        cluster: ClusterNode?
    ) {
        serving = ServingState(configuration: configuration, adapters: adapters)
        self.gateway = gateway
        self.contacts = contacts
        self.erasure = erasure
        self.health = health
        self.routers = routers
        self.hub = hub
        streams = cluster ?? LocalAgentStreams(routers: routers, hub: hub)
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.cluster = cluster
    }
}
