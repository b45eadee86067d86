import Cluster
import Curl
import Foundation
import Logging
import Providers
import Router
import Server
import Switchboard

/// Reloads the configuration of a running gateway (`SIGHUP`, `POST /v1/admin/reload`; CONTRACT.md §12).
///
/// The configuration is read again as at start (file, environment overrides, secret files) and checked as
/// `check-config` checks it: a refused one changes nothing. Otherwise each part takes it over in turn, without
/// stopping: the tokens and webhook adapters of the routes (``ServingState``), the gateway's and outbox
/// worker's configuration and channel capabilities (``LiveConfiguration``), the router (agents, queues,
/// `notifications` and templates), the supervisors of the event hub, and the cluster node's configuration for
/// the router of its next takeover; then a removed agent's streams end. One reload runs at a time, in arrival
/// order: a reload racing another waits for it and then compares with what that one put in force.
actor ConfigurationReload: ConfigurationReloader {
    private let lock = AsyncLock()
    let source: @Sendable () throws(SwitchboardError) -> Configuration
    private(set) var current: Configuration
    let live: LiveConfiguration
    let serving: ServingState
    let routers: RouterSlot
    let hub: AgentEventHub
    let outbox: OutboxWorker
    let cluster: ClusterNode?
    let curl: CurlClient
    let logger: Logger

    init(
        source: @escaping @Sendable () throws(SwitchboardError) -> Configuration, current: Configuration,
        live: LiveConfiguration, serving: ServingState, routers: RouterSlot, hub: AgentEventHub,
        outbox: OutboxWorker, cluster: ClusterNode?, curl: CurlClient, logger: Logger
    ) {
        self.source = source
        self.current = current
        self.live = live
        self.serving = serving
        self.routers = routers
        self.hub = hub
        self.outbox = outbox
        self.cluster = cluster
        self.curl = curl
        self.logger = logger
    }

    func reload(trigger: String) async throws(SwitchboardError) -> ConfigurationChanges {
        try await lock.withLock { await self.reloadAlone(trigger: trigger) }.get()
    }

    private func reloadAlone(trigger: String) async -> Result<ConfigurationChanges, SwitchboardError> {
        let started = ContinuousClock.now
        let new: Configuration
        do {
            new = try source()
            try SwitchboardServer.validate(new)
        } catch {
            logger.error("reload (\(trigger)) refused, the configuration in force is kept: \(error.message)")
            return .failure(error)
        }
        let changes = ConfigurationChanges(from: current, to: new)
        apply(new)
        await routers.current.reconfigure(new)
        let removed = Set(current.agents.map(\.id)).subtracting(new.agents.map(\.id))
        for agentID in removed.sorted() { hub.finishStreams(of: agentID) }
        current = new
        let took = ContinuousClock.now - started
        let applied = changes.changes.isEmpty ? "no changes" : changes.changes.joined(separator: "; ")
        let restart =
            changes.restartNeeded.isEmpty
            ? "" : "; needs a restart: \(changes.restartNeeded.joined(separator: ", "))"
        logger.notice("reload (\(trigger)) applied in \(took): \(applied)\(restart)")
        return .success(changes)
    }

    /// Everything but the router and the streams: synchronous, so that requests see the new tokens, channels and
    /// settings together.
    private func apply(_ new: Configuration) {
        var capabilities: [String: ChannelCapabilities] = [:]
        let before = live.snapshot
        for channel in new.channels {
            // An unchanged channel keeps its provider API (and what it holds: connections, access tokens).
            if before.configuration.channel(id: channel.id) == channel, let kept = before.capabilities[channel.id] {
                capabilities[channel.id] = kept
            } else {
                capabilities[channel.id] = ProviderRegistry.capabilities(for: channel, client: curl)
            }
        }
        live.replace(with: .init(configuration: new, capabilities: capabilities))
        serving.replace(configuration: new, adapters: ProviderRegistry.adapters(of: new))
        hub.reconfigure(supervisorIDs: Set(new.agents.filter { $0.role == .supervisor }.map(\.id)))
        cluster?.reconfigure(new)
        outbox.reloaded()
    }
}
