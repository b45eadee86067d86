import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Switchboard
import UnixSignals

/// The gateway's HTTP side: serves a ready-made set of services (``serve(_:background:options:)``) until
/// SIGTERM/SIGINT or cancellation, then shuts down gracefully. What it serves is built by `GatewayAssembly`.
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
        /// Called once the router is built, with every route registered as `METHOD /path/{parameter}` (not the
        /// `405` answers to the other methods; tests check that the OpenAPI document covers each `/v1` route).
        public var onRoutes: @Sendable ([String]) -> Void = { _ in }
        /// Between two retention sweeps (CONTRACT.md §12); the first runs at start.
        public var retentionInterval: Duration = .seconds(60)
        /// Signals that reload the configuration (CONTRACT.md §12), when the gateway has a ``reloadSource``.
        public var reloadSignals: [UnixSignal] = [.sighup]
        /// Reads the configuration again for a reload (`SIGHUP`, `POST /v1/admin/reload`): the file and the
        /// environment as at start. `nil`: the gateway cannot reload (the route answers `404`).
        public var reloadSource: (@Sendable () throws(SwitchboardError) -> Configuration)?
        /// How long after start the first retention sweep runs (the retention benchmark measures ingest before it).
        public var retentionDelay: Duration = .zero

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

    /// Serves `services` over HTTP until SIGTERM/SIGINT (``Options/shutdownSignals``), ``Options/stopper`` or
    /// cancellation, running `background` beside the server for as long (each is cancelled at graceful
    /// shutdown); agents' streams end at shutdown. The composition root (`GatewayAssembly`) builds the services.
    public static func serve(
        _ services: GatewayServices, background: [@Sendable () async -> Void], options: Options
    ) async throws {
        var services = services
        services.heartbeatInterval = options.heartbeatInterval
        let hub = services.hub
        let limits = services.configuration.limits
        let router = makeRouter(services, benchmarkNoOpRoute: options.benchmarkNoOpRoute)
        var background = background
        if let reloader = services.reloader, !options.reloadSignals.isEmpty {
            let reload = ReloadOnSignal(reloader: reloader, signals: options.reloadSignals)
            background.append { await reload.run() }
        }
        options.onRoutes(router.routes.map(\.description))
        router.answerMethodNotAllowed(under: "/v1/")
        // Agents' event streams skip the router (``DirectResponder``); in remote mode the route does not exist (§11).
        let agentRoutes = services.configuration.router.mode == .embedded ? AgentRoutes(services: services) : nil
        let app = Application(
            router: router,
            server: .gatewayHTTP1(
                configuration: .init(
                    additionalChannelHandlers: [HeaderOverflowHandler(limits: limits), ConnectionWatcher()],
                    httpDecoderConfiguration: HeaderLimits.decoderConfiguration(limits)),
                serverName: Self.serverName, direct: agentRoutes.map { routes in routes.directEventStream }),
            configuration: .init(
                address: .hostname(services.configuration.listen.host, port: services.configuration.listen.port),
                serverName: Self.serverName),
            onServerRunning: { channel in await options.onListening(channel.localAddress?.port ?? 0) },
            logger: services.logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app)]
                    + background.map { .init(service: BackgroundService($0)) }
                    + [.init(service: BackgroundService(onShutdown: { hub.finishAll() }) {})]
                    // Last, so shut down first: `/readyz` turns 503 while everything else still serves.
                    + [
                        .init(
                            service: DrainService(
                                draining: services.draining, seconds: services.configuration.listen.drainSeconds))
                    ],
                gracefulShutdownSignals: options.shutdownSignals,
                logger: services.logger))
        await options.stopper?.attach(group)
        try await group.run()
    }

    /// The `Server` header of every response.
    static let serverName = "switchboard"

    static func makeRouter(
        _ services: GatewayServices, benchmarkNoOpRoute: Bool = false
    ) -> Router<ConnectionContext> {
        let router = Router(context: ConnectionContext.self)
        router.add(middleware: ErrorMiddleware(logger: services.logger, limits: services.configuration.limits))
        let embedded = services.configuration.router.mode == .embedded
        if let cluster = services.cluster {
            // The agent API needs the leader's router; in remote mode there is none to ask (§11).
            if embedded {
                router.add(
                    middleware: LeaderForwarding(
                        node: cluster, maxBodyBytes: services.configuration.limits.maxBodyBytes))
            }
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
        // In remote mode the core owns agents, notifications and work items: those routes answer 404 (§11).
        if embedded {
            AgentRoutes(services: services).register(on: router)
            NotificationRoutes(services: services).register(on: router)
            WorkItemRoutes(services: services).register(on: router)
            DecisionRoutes(services: services).register(on: router)
        }
        ConversationRoutes(services: services).register(on: router)
        ContactRoutes(services: services).register(on: router)
        CustomerRoutes(services: services).register(on: router)
        AdminRoutes(services: services).register(on: router)
        OpenAPIRoutes().register(on: router)
        HealthRoutes(services: services).register(on: router)
        ConsoleRoutes().register(on: router)
        return router
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

/// The first step of a graceful shutdown: `/readyz` answers `503` (``Draining``), and the gateway keeps serving for
/// `listen.drainSeconds` so that a load balancer stops sending before it stops accepting connections.
struct DrainService: Service {
    let draining: Draining
    let seconds: Double

    func run() async throws {
        // Returns at graceful shutdown; throws only when the group is cancelled outright.
        guard (try? await gracefulShutdown()) != nil else { return }
        draining.begin()
        if seconds > 0 { try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
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
