import Cluster
import Curl
import Foundation
import Logging
import PostgresStorage
import Providers
import Router
import Server
import Switchboard

/// The composition root: which store, router (embedded, remote core, cluster), providers and background work
/// a configuration asks for, put together and handed to ``SwitchboardServer/serve(_:background:options:)``.
/// The `switchboard` executable wraps it; the benchmarks and the tests run it in-process.
extension SwitchboardServer {
    /// The gateway process: opens the store, builds the router, adapters and outbox worker from the
    /// configuration, and serves HTTP until SIGTERM/SIGINT or cancellation, then shuts down gracefully.
    public static func run(configuration: Configuration, logger: Logger, options: Options = .init()) async throws {
        try validate(configuration)
        // The store outlives everything that uses it: a PostgreSQL pool closes after the server stopped.
        try await withStore(configuration.database, logger: logger) { store in
            try await CurlClient.withCurlClient { curl in
                try await GatewayAssembly(
                    configuration: configuration, store: store, curl: curl, logger: logger, clock: options.clock
                ).serve(options: options)
            }
        }
    }
}

/// One gateway's parts, built from the configuration while its store and curl client are open.
struct GatewayAssembly {
    let configuration: Configuration
    let store: any Store
    let curl: CurlClient
    let logger: Logger
    let clock: any WallClock

    func serve(options: SwitchboardServer.Options) async throws {
        let metrics = Metrics()
        let hub = AgentEventHub(
            store: store, supervisorIDs: Set(configuration.agents.filter { $0.role == .supervisor }.map(\.id)),
            clock: clock, logger: logger, metrics: metrics)
        let routers = RouterSlot(
            EmbeddedRouter(
                configuration: configuration, store: store, events: hub, clock: clock, durableState: store,
                logger: logger))
        // With PostgreSQL several instances may share the database: one leads and runs the router.
        let cluster = try clusterNode(hub: hub, routers: routers, metrics: metrics)
        // In remote mode every event goes to the external core, which decides; the embedded router stays empty
        // and its routes answer 404 (CONTRACT.md §11).
        let remote = remoteCore(metrics: metrics, polling: cluster != nil)
        let core: any CoreRouter = remote ?? cluster.map { ClusterCoreRouter(node: $0) } ?? routers.current
        let adapters = ProviderRegistry.adapters(of: configuration)
        // Read per request by the gateway and the outbox worker: a reload replaces it (CONTRACT.md §12).
        let live = LiveConfiguration(
            configuration: configuration, capabilities: ProviderRegistry.capabilities(of: configuration, client: curl))
        // In a cluster every instance's worker sends replies (each claimed by one): poll often, since only
        // the instance that queued a reply is woken for it.
        let outbox = OutboxWorker(
            store: store, live: live, router: core, clock: clock,
            logger: logger, idlePoll: cluster == nil ? .seconds(5) : .milliseconds(250),
            onAttempt: { provider, outcome in
                metrics.increment(
                    "switchboard_outbound_sends_total", ["provider": provider.rawValue, "outcome": outcome])
            })
        let gateway = Gateway(
            live: live, store: store, router: core, clock: clock, logger: logger, replyQueued: { outbox.wake() })
        var services = GatewayServices(
            configuration: configuration, gateway: gateway,
            contacts: Contacts(store: store, defaultRegion: configuration.defaultRegion, clock: clock),
            erasure: CustomerErasure(
                store: store, router: core, defaultRegion: configuration.defaultRegion, clock: clock),
            health: Health(store: store),
            routers: routers, hub: hub, adapters: adapters, metrics: metrics, clock: clock, logger: logger,
            cluster: cluster)
        if let source = options.reloadSource {
            services.reloader = ConfigurationReload(
                source: source, current: configuration, live: live, serving: services.serving, routers: routers,
                hub: hub, outbox: outbox, cluster: cluster, curl: curl, logger: logger)
        }
        // The concatenation sweeper and the retention sweep run once per cluster: on its leader.
        let retention = RetentionSweeper(
            store: store, currentSettings: { live.configuration.retention }, decisions: store, metrics: metrics,
            clock: clock,
            logger: logger)
        let singletons: [@Sendable () async -> Void] = [
            { [clock, logger] in await Self.sweepConcatenations(gateway, clock: clock, logger: logger) },
            { await retention.run(every: options.retentionInterval, after: options.retentionDelay) },
        ]
        if let cluster {
            cluster.leaderJobs.withLock { $0 = singletons }
            await cluster.start()
        } else if configuration.router.mode == .embedded {
            await routers.current.restore(
                conversations: try await store.conversations(matching: .init(status: .open, limit: 100_000)))
            await routers.current.restore(workItems: try await store.openWorkItems())
        }
        // Every instance sends replies and core events: each claims what it sends.
        var background: [@Sendable () async -> Void] = [{ await outbox.run() }]
        if let remote { background.append { await remote.sender.run() } }
        if let cluster {
            background.append { await cluster.run() }
        } else {
            background += singletons
        }
        do {
            try await SwitchboardServer.serve(services, background: background, options: options)
        } catch {
            await cluster?.finish()
            await routers.current.shutdown()
            throw error
        }
        await cluster?.finish()
        await routers.current.shutdown()
    }

    /// This instance's cluster node when the database is PostgreSQL, else nil (SQLite: one instance).
    func clusterNode(hub: AgentEventHub, routers: RouterSlot, metrics: Metrics) throws -> ClusterNode? {
        guard PostgresDatabaseURL.isPostgresURL(configuration.database) else { return nil }
        return try ClusterNode(
            configuration: configuration, store: store, hub: hub, routers: routers, client: curl, clock: clock,
            logger: logger, metrics: metrics)
    }

    /// The remote core router of `router.mode = remote`, `nil` in embedded mode. With several instances
    /// (`polling`) its sender also looks for events the others queued, four times a second.
    func remoteCore(metrics: Metrics, polling: Bool) -> RemoteCoreRouter? {
        guard configuration.router.mode == .remote, let url = configuration.router.url,
            let secret = configuration.router.secret
        else { return nil }
        return RemoteCoreRouter(
            url: url, secret: secret, store: store, client: curl, clock: clock, metrics: metrics,
            idlePoll: polling ? .milliseconds(250) : .seconds(5), logger: logger)
    }

    /// Every 5 s until shutdown, delivers the concatenated SMS whose parts stopped arriving (the channel's
    /// `concatWaitSeconds`), while some channel joins message parts (a reload may add or remove one). A failure is
    /// logged and tried again on the next round.
    static func sweepConcatenations(_ gateway: Gateway, clock: any WallClock, logger: Logger) async {
        while !Task.isCancelled {
            do {
                if gateway.joinsMessageParts { try await gateway.flushIncompleteConcatenations(now: clock.now()) }
            } catch {
                logger.warning("delivering incomplete concatenated messages failed: \(error)")
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
