import Curl
import Foundation
import Hummingbird
import Logging
import PostgresStorage
import Providers
import Router
import ServiceLifecycle
import Storage
import Switchboard
import UnixSignals

/// The gateway process: opens the store, builds the router, adapters and outbox worker from the
/// configuration, and serves HTTP until SIGTERM/SIGINT or cancellation, then shuts down gracefully.
public enum SwitchboardServer {
    /// Options that tests and benchmarks change; the defaults are what `switchboard serve` uses.
    public struct Options: Sendable {
        /// Called once the server listens, with its port (useful with port 0).
        public var onListening: @Sendable (Int) async -> Void
        public var clock: any WallClock
        public var heartbeatInterval: Duration
        /// Signals that start a graceful shutdown; tests run in-process and use ``stopper`` instead.
        public var shutdownSignals: [UnixSignal]
        /// Lets the caller start a graceful shutdown (tests).
        public var stopper: ServerStopper?
        /// Adds `POST /bench/noop`, which reads the body and answers 200 with nothing else: the ceiling the
        /// benchmarks compare the webhook route with. Off in `switchboard serve`; only `make bench` turns it on.
        public var benchmarkNoOpRoute = false

        public init(
            onListening: @escaping @Sendable (Int) async -> Void = { _ in }, clock: any WallClock = SystemWallClock(),
            heartbeatInterval: Duration = .seconds(15), shutdownSignals: [UnixSignal] = [.sigterm, .sigint],
            stopper: ServerStopper? = nil
        ) {
            self.onListening = onListening
            self.clock = clock
            self.heartbeatInterval = heartbeatInterval
            self.shutdownSignals = shutdownSignals
            self.stopper = stopper
        }
    }

    /// Refuses a configuration a person must fix first (CONTRACT.md §1): names the key.
    public static func validate(_ configuration: Configuration) throws(SwitchboardError) {
        try ConfigurationCheck.validate(configuration)
    }

    public static func run(configuration: Configuration, logger: Logger, options: Options = .init()) async throws {
        try validate(configuration)
        // The store outlives everything that uses it: a PostgreSQL pool closes after the server stopped.
        try await withStore(configuration.database, logger: logger) { store in
            try await CurlClient.withCurlClient { curl in
                let metrics = Metrics()
                let hub = AgentEventHub(
                    store: store, supervisorIDs: Set(configuration.agents.filter { $0.role == .supervisor }.map(\.id)),
                    clock: options.clock, logger: logger, metrics: metrics)
                let routers = RouterSlot(
                    EmbeddedRouter(configuration: configuration, store: store, events: hub, clock: options.clock))
                // With PostgreSQL several instances may share the database: one leads and runs the router.
                let cluster = try clusterNode(
                    configuration, store: store, hub: hub, routers: routers, client: curl, clock: options.clock,
                    logger: logger, metrics: metrics)
                // In remote mode the gateway's notification requests go to the external core; the embedded router
                // still answers the `/v1` agent API.
                let remote = remoteCore(configuration, store: store, client: curl, clock: options.clock, logger: logger)
                let core: any CoreRouter = remote ?? cluster.map { ClusterCoreRouter(node: $0) } ?? routers.current
                var adapters: [String: any WebhookAdapter] = [:]
                let context = WebhookContext(publicURL: configuration.publicURL, limits: configuration.limits)
                for channel in configuration.channels {
                    adapters[channel.id] = ProviderRegistry.adapter(for: channel, context: context)
                }
                let capabilities = ProviderRegistry.capabilities(of: configuration, client: curl)
                // In a cluster every instance's worker sends replies (each claimed by one): poll often, since only
                // the instance that queued a reply is woken for it.
                let outbox = OutboxWorker(
                    store: store, capabilities: capabilities, configuration: configuration, router: core,
                    clock: options.clock,
                    logger: logger,
                    idlePoll: cluster == nil ? .seconds(5) : .milliseconds(250),
                    onAttempt: { provider, outcome in
                        metrics.increment(
                            "switchboard_outbound_sends_total", ["provider": provider.rawValue, "outcome": outcome])
                    })
                let gateway = Gateway(
                    configuration: configuration, store: store, router: core, capabilities: capabilities,
                    clock: options.clock, logger: logger, replyQueued: { outbox.wake() })
                let services = GatewayServices(
                    configuration: configuration, store: store, gateway: gateway, routers: routers, hub: hub,
                    adapters: adapters, metrics: metrics,
                    authenticator: TokenAuthenticator(configuration: configuration),
                    clock: options.clock, logger: logger, heartbeatInterval: options.heartbeatInterval,
                    cluster: cluster)
                // The concatenation sweeper and the remote-core outbox run once per cluster: on its leader.
                let singletons: [@Sendable () async -> Void] = [
                    { await remote?.run() },
                    { await sweepConcatenations(gateway, clock: options.clock, logger: logger) },
                ]
                if let cluster {
                    cluster.leaderJobs.withLock { $0 = singletons }
                    await cluster.start()
                } else {
                    await routers.current.restore(
                        conversations: try await store.conversations(matching: .init(status: .open, limit: 100_000)))
                }

                let app = Application(
                    router: makeRouter(services, benchmarkNoOpRoute: options.benchmarkNoOpRoute),
                    configuration: .init(
                        address: .hostname(configuration.listen.host, port: configuration.listen.port),
                        serverName: "switchboard"),
                    onServerRunning: { channel in await options.onListening(channel.localAddress?.port ?? 0) },
                    logger: logger)
                var background: [@Sendable () async -> Void] = [{ await outbox.run() }]
                if let cluster {
                    background.append { await cluster.run() }
                } else {
                    background += singletons
                }
                let group = ServiceGroup(
                    configuration: .init(
                        services: [.init(service: app)]
                            + background.map { .init(service: BackgroundService($0)) }
                            + [.init(service: BackgroundService(onShutdown: { hub.finishAll() }) {})],
                        gracefulShutdownSignals: options.shutdownSignals,
                        logger: logger))
                await options.stopper?.attach(group)
                do {
                    try await group.run()
                } catch {
                    await cluster?.finish()
                    await routers.current.shutdown()
                    throw error
                }
                await cluster?.finish()
                await routers.current.shutdown()
            }
        }
    }

    /// This instance's cluster node when the database is PostgreSQL, else nil (SQLite: one instance).
    static func clusterNode(
        _ configuration: Configuration, store: any Store, hub: AgentEventHub, routers: RouterSlot,
        client: CurlClient, clock: any WallClock, logger: Logger, metrics: Metrics
    ) throws -> ClusterNode? {
        guard PostgresDatabaseURL.isPostgresURL(configuration.database) else { return nil }
        return ClusterNode(
            cluster: try PostgresCluster(databaseURL: configuration.database, logger: logger),
            configuration: configuration, store: store, hub: hub, routers: routers, client: client, clock: clock,
            logger: logger, metrics: metrics)
    }

    /// The remote core router of `router.mode = remote`, `nil` in embedded mode.
    static func remoteCore(
        _ configuration: Configuration, store: any Store, client: CurlClient, clock: any WallClock, logger: Logger
    ) -> RemoteCoreRouter? {
        guard configuration.router.mode == .remote, let url = configuration.router.url,
            let secret = configuration.router.secret
        else { return nil }
        return RemoteCoreRouter(url: url, secret: secret, store: store, client: client, clock: clock, logger: logger)
    }

    /// Every 5 s until shutdown, delivers the concatenated SMS whose parts stopped arriving (the channel's
    /// `concatWaitSeconds`). A failure is logged and tried again on the next round.
    static func sweepConcatenations(_ gateway: Gateway, clock: any WallClock, logger: Logger) async {
        guard gateway.joinsMessageParts else { return }
        while !Task.isCancelled {
            do {
                try await gateway.flushIncompleteConcatenations(now: clock.now())
            } catch {
                logger.warning("delivering incomplete concatenated messages failed: \(error)")
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    static func makeRouter(
        _ services: GatewayServices, benchmarkNoOpRoute: Bool = false
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: services.logger))
        if let cluster = services.cluster {
            router.add(
                middleware: LeaderForwarding(node: cluster, maxBodyBytes: services.configuration.limits.maxBodyBytes))
            ClusterRoutes(node: cluster).register(on: router)
        }
        if benchmarkNoOpRoute {
            // Same server, same body read, no work: what HTTP alone costs on this machine.
            router.post("/bench/noop") { request, _ -> Response in
                _ = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
                return Response(status: .ok)
            }
        }
        WebhookRoutes(services: services).register(on: router)
        AgentRoutes(services: services).register(on: router)
        NotificationRoutes(services: services).register(on: router)
        ConversationRoutes(services: services).register(on: router)
        WorkItemRoutes(services: services).register(on: router)
        ContactRoutes(services: services).register(on: router)
        HealthRoutes(services: services).register(on: router)
        ConsoleRoutes().register(on: router)
        return router
    }

    /// Opens the store a `database` setting names (CONTRACT.md §2) for the duration of `body`: `sqlite:PATH`, or
    /// `postgres://user:password@host:port/db` (its connection pool runs while `body` runs and closes after it;
    /// the schema is migrated first).
    ///
    /// - Throws: ``SwitchboardError`` `invalid-request` (field `database`) for a setting that names no store,
    ///   `unavailable` when the database cannot be opened; whatever `body` throws.
    public static func withStore<T: Sendable>(
        _ database: String, logger: Logger, _ body: (any Store) async throws -> T
    ) async throws -> T {
        if PostgresDatabaseURL.isPostgresURL(database) {
            var postgresLogger = logger
            postgresLogger[metadataKey: "database"] = "postgres"
            return try await PostgresStore.withStore(url: database, logger: postgresLogger) { store in
                try await body(store)
            }
        }
        return try await body(try openStore(database))
    }

    /// Opens an SQLite store, `sqlite:PATH`. A PostgreSQL store has a lifetime (its pool): open it with
    /// ``withStore(_:logger:_:)``.
    public static func openStore(_ database: String) throws -> any Store {
        guard database.hasPrefix("sqlite:") else {
            throw SwitchboardError.invalidRequest(
                "database \"\(PostgresDatabaseURL.masked(String(database.prefix(40))))\" is not supported; use "
                    + "sqlite:PATH or postgres://user:password@host:port/database", field: "database")
        }
        return try SQLiteStore(path: String(database.dropFirst("sqlite:".count)))
    }
}

/// Runs work for the lifetime of the service group, stopping it at graceful shutdown.
struct BackgroundService: Service {
    let onShutdown: @Sendable () -> Void
    let work: @Sendable () async -> Void

    init(onShutdown: @escaping @Sendable () -> Void = {}, _ work: @escaping @Sendable () async -> Void) {
        self.onShutdown = onShutdown
        self.work = work
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown { await work() }
            try? await gracefulShutdown()
        } onGracefulShutdown: {
            onShutdown()
        }
    }
}

/// Starts a graceful shutdown of a running server from outside it, as SIGTERM does.
public actor ServerStopper {
    private var group: ServiceGroup?
    private var stopRequested = false

    public init() {}

    func attach(_ group: ServiceGroup) async {
        self.group = group
        if stopRequested { await group.triggerGracefulShutdown() }
    }

    public func stop() async {
        stopRequested = true
        await group?.triggerGracefulShutdown()
    }
}
