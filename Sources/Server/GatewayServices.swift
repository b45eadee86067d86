import Foundation
import Logging
import Providers
import Router
import Switchboard

/// Everything the routes need, built once at start-up from the configuration.
struct GatewayServices: Sendable {
    let configuration: Configuration
    let store: any Store
    let gateway: Gateway
    let router: EmbeddedRouter
    let hub: AgentEventHub
    let adapters: [String: any WebhookAdapter]
    let metrics: Metrics
    let authenticator: TokenAuthenticator
    let clock: any WallClock
    let logger: Logger
    let heartbeatInterval: Duration
    /// Connects an accepted call to its agent.
    let calls: CallConnector
}
