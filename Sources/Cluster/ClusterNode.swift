import Curl
import Foundation
import Logging
import Router
import Switchboard
import Synchronization

/// This instance's part in a cluster of gateways sharing one PostgreSQL database (README "Scaling out"):
/// campaigns for leadership, runs the router while it leads, knows the current leader otherwise, and keeps
/// the leader told of the agent streams open here.
public final class ClusterNode: Sendable {
    /// Marks a request one instance forwarded to the leader; such a request is never forwarded again.
    public static let forwardedHeader = "Switchboard-Forwarded-By"

    struct State {
        var isLeader = false
        /// The leader as last read from `cluster_leader`.
        var leader: ClusterLeader?
        var leaderJobs: Task<Void, Never>?
        /// The lock ``start()`` took, handed to the campaign.
        var initialLock: PostgresCluster.LeaderLock?
    }

    /// What the leader knows of this instance's streams. Changed only under ``registration``'s lock.
    struct Registration {
        /// Streams signed in through this instance, by agent.
        var streams: [String: Int] = [:]
        /// The term of the (other) leader last told of every stream.
        var term: Int64 = 0
        /// Whether this instance's own router was told of every stream since it took over.
        var selfRegistered = false
    }

    let cluster: PostgresCluster
    /// This instance's configuration: the router built at a takeover follows its latest reload.
    private let currentConfiguration: Mutex<Configuration>
    var configuration: Configuration { currentConfiguration.withLock { $0 } }
    public let advertiseURL: String
    let secret: String
    let store: any Store
    let hub: AgentEventHub
    let routers: RouterSlot
    let client: CurlClient
    let clock: any WallClock
    let logger: Logger
    let metrics: Metrics
    /// Work only the leader does (the concatenation sweeper, the remote-core outbox), started at each takeover.
    public let leaderJobs = Mutex<[@Sendable () async -> Void]>([])
    let state = Mutex(State())
    let registration = Mutex(Registration())
    let registrationLock = AsyncLock()
    /// Calls to the leader while following, sent a request at a time.
    let leaderCalls = LeaderCallQueue()

    /// This instance's node in the cluster of gateways sharing the `database` of `configuration`
    /// (PostgreSQL); it opens no connection until ``start()``.
    public convenience init(
        configuration: Configuration, store: any Store, hub: AgentEventHub, routers: RouterSlot, client: CurlClient,
        clock: any WallClock, logger: Logger, metrics: Metrics
    ) throws {
        self.init(
            cluster: try PostgresCluster(databaseURL: configuration.database, logger: logger),
            configuration: configuration, store: store, hub: hub, routers: routers, client: client, clock: clock,
            logger: logger, metrics: metrics)
    }

    init(
        cluster: PostgresCluster, configuration: Configuration, store: any Store, hub: AgentEventHub,
        routers: RouterSlot, client: CurlClient, clock: any WallClock, logger: Logger, metrics: Metrics
    ) {
        self.cluster = cluster
        currentConfiguration = Mutex(configuration)
        advertiseURL = configuration.advertiseURL
        secret = configuration.cluster.secret ?? ""
        self.store = store
        self.hub = hub
        self.routers = routers
        self.client = client
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        metrics.set("switchboard_cluster_leader", [:], to: 0)
        hub.clusterAnnouncer.withLock { announcer in
            announcer = { agentID, sequence in await cluster.notifyAgentEvent(agentID: agentID, sequence: sequence) }
        }
    }

    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// The router, when this instance leads.
    package var leadingRouter: EmbeddedRouter? { isLeader ? routers.current : nil }

    /// One election attempt before the server listens, so that a lone instance (or the first of a cluster)
    /// answers its first requests as the leader, and a follower knows the leader from the start.
    public func start() async {
        if let lock = await cluster.acquireLock() {
            await takeOver()
            do {
                try await cluster.publish(lock, advertiseURL: advertiseURL)
                state.withLock { $0.initialLock = lock }
            } catch {
                logger.error("cluster: publishing this instance as the leader failed: \(error)")
                await stepDown()
                await cluster.release(lock)
            }
        }
        await refreshLeader()
    }

    /// After the server stopped: gives up a lock ``run()`` never took over, and leadership if still held.
    public func finish() async {
        let unused = state.withLock { state in
            defer { state.initialLock = nil }
            return state.initialLock
        }
        if let unused {
            await stepDown()
            await cluster.release(unused)
        } else if isLeader {
            await stepDown()
        }
    }

    /// Campaigns, listens and keeps the leader and the streams in step, until cancelled.
    public func run() async {
        let held = state.withLock { state in
            defer { state.initialLock = nil }
            return state.initialLock
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.cluster.campaign(
                    advertiseURL: self.advertiseURL, held: held, elected: { await self.takeOver() },
                    deposed: { await self.stepDown() })
            }
            group.addTask {
                await self.cluster.listen(
                    connected: {
                        await self.refreshLeader()
                        await self.hub.catchUpAll()
                    },
                    leaderChanged: { await self.refreshLeader() },
                    agentEvent: { agentID, _ in await self.hub.catchUp(agentID: agentID) })
            }
            group.addTask {
                while !Task.isCancelled {
                    await self.refreshLeader()
                    await self.hub.catchUpBehind()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        await cluster.close()
    }

    /// A reload (CONTRACT.md §12): the router of the next takeover is built from `configuration`. The running
    /// router is reconfigured by the caller (``RouterSlot``); the cluster settings themselves need a restart.
    public func reconfigure(_ configuration: Configuration) {
        currentConfiguration.withLock { $0 = configuration }
    }

    // MARK: Leadership

    /// Builds a fresh router from the store (open conversations, each agent's last presence), puts it in
    /// place and starts the leader's jobs; then tells it of the streams open here.
    private func takeOver() async {
        let router = EmbeddedRouter(
            configuration: configuration, store: store, events: hub, clock: clock, durableState: store, logger: logger)
        // In remote mode the core decides: the router stays empty (CONTRACT.md §11).
        if configuration.router.mode == .embedded { await restore(router) }
        await routers.replace(with: router).shutdown()
        await registrationLock.withLock {
            self.state.withLock { state in
                state.isLeader = true
                let jobs = self.leaderJobs.withLock { $0 }
                state.leaderJobs = Task {
                    await withDiscardingTaskGroup { group in
                        for job in jobs { group.addTask { await job() } }
                    }
                }
            }
            await self.reconcileLocked()
        }
        metrics.set("switchboard_cluster_leader", [:], to: 1)
        logger.notice("cluster: this instance leads (\(advertiseURL))")
    }

    /// Open conversations and each agent's last presence, from the store.
    private func restore(_ router: EmbeddedRouter) async {
        do {
            for agent in configuration.agents {
                if let presence = try await lastPresence(of: agent.id) {
                    await router.restorePresence(presence, agentID: agent.id)
                }
            }
            await router.restore(
                conversations: try await store.conversations(matching: .init(status: .open, limit: 100_000)))
            await router.restore(workItems: try await store.openWorkItems())
        } catch {
            logger.error("cluster: restoring the router from the store failed; leading with what was read: \(error)")
        }
    }

    /// Stops the leader's jobs and router at once; this instance follows from now on.
    func stepDown() async {
        let jobs = await registrationLock.withLock {
            self.state.withLock { state in
                state.isLeader = false
                defer { state.leaderJobs = nil }
                let term = state.leader?.term ?? 0
                self.registration.withLock { registration in
                    registration.selfRegistered = false
                    registration.term = max(registration.term, term)
                }
                return state.leaderJobs
            }
        }
        metrics.set("switchboard_cluster_leader", [:], to: 0)
        jobs?.cancel()
        await jobs?.value
        await routers.current.shutdown()
        logger.notice("cluster: this instance no longer leads")
    }

    /// The agent's last `presence` event in its own log, if any.
    private func lastPresence(of agentID: String) async throws -> Presence? {
        let events = try await store.agentEvents(agentID: agentID, after: 0)
        for event in events.reversed() where event.type == "presence" {
            guard let body = try? StoredPresence.decode(event.data), body.agentId == agentID else { continue }
            return Presence(status: body.status, setBy: body.setBy, reason: body.reason, since: body.since)
        }
        return nil
    }

    // MARK: The leader

    /// Reads `cluster_leader`; a newer term replaces the cached leader and the new leader is told of the streams
    /// open here. A failed read keeps the cache.
    func refreshLeader() async {
        guard await updateLeader() else { return }
        await registrationLock.withLock { await self.reconcileLocked() }
    }

    /// Reads `cluster_leader` into the cache; true when the term grew.
    @discardableResult
    private func updateLeader() async -> Bool {
        let read: ClusterLeader?
        do {
            read = try await cluster.leader()
        } catch {
            logger.debug("cluster: cannot read the leader: \(error)")
            return false
        }
        guard let read else { return false }
        return state.withLock { state in
            guard read.term > state.leader?.term ?? 0 else { return false }
            state.leader = read
            return true
        }
    }

    /// The URL to forward to: the cached leader's (read first if none), nil when unknown or this instance.
    /// Reads only: the streams are told to a new leader by ``refreshLeader()``, which takes the registration
    /// lock that a stream's sign-in holds while it calls here.
    package func leaderURL() async -> String? {
        if state.withLock({ $0.leader }) == nil { await updateLeader() }
        let (leader, isLeader) = state.withLock { ($0.leader, $0.isLeader) }
        guard !isLeader, let leader, leader.url != advertiseURL else { return nil }
        return leader.url
    }

    /// After a forward failed: reads the leader again; the new URL when it changed.
    package func leaderURLAfterFailure(_ failed: String) async -> String? {
        await updateLeader()
        guard let url = await leaderURL(), url != failed else { return nil }
        return url
    }
}
