import Curl
import Foundation
import Logging
import PostgresStorage
import Router
import Switchboard
import Synchronization

/// This instance's part in a cluster of gateways sharing one PostgreSQL database (README "Scaling out"):
/// campaigns for leadership, runs the router while it leads, knows the current leader otherwise, and keeps
/// the leader told of the agent streams open here.
final class ClusterNode: Sendable {
    /// Marks a request one instance forwarded to the leader; such a request is never forwarded again.
    static let forwardedHeader = "Switchboard-Forwarded-By"

    private struct State {
        var isLeader = false
        /// The leader as last read from `cluster_leader`.
        var leader: ClusterLeader?
        var leaderJobs: Task<Void, Never>?
        /// The lock ``start()`` took, handed to the campaign.
        var initialLock: PostgresCluster.LeaderLock?
    }

    /// What the leader knows of this instance's streams. Changed only under ``registration``'s lock.
    private struct Registration {
        /// Streams signed in through this instance, by agent.
        var streams: [String: Int] = [:]
        /// The term of the (other) leader last told of every stream.
        var term: Int64 = 0
        /// Whether this instance's own router was told of every stream since it took over.
        var selfRegistered = false
    }

    let cluster: PostgresCluster
    let configuration: Configuration
    let advertiseURL: String
    let secret: String
    let store: any Store
    let hub: AgentEventHub
    let routers: RouterSlot
    let client: CurlClient
    let clock: any WallClock
    let logger: Logger
    let metrics: Metrics
    /// Work only the leader does (the concatenation sweeper, the remote-core outbox), started at each takeover.
    let leaderJobs = Mutex<[@Sendable () async -> Void]>([])
    private let state = Mutex(State())
    private let registration = Mutex(Registration())
    private let registrationLock = AsyncLock()

    init(
        cluster: PostgresCluster, configuration: Configuration, store: any Store, hub: AgentEventHub,
        routers: RouterSlot, client: CurlClient, clock: any WallClock, logger: Logger, metrics: Metrics
    ) {
        self.cluster = cluster
        self.configuration = configuration
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

    var isLeader: Bool { state.withLock { $0.isLeader } }

    /// The router, when this instance leads.
    var leadingRouter: EmbeddedRouter? { isLeader ? routers.current : nil }

    /// One election attempt before the server listens, so that a lone instance (or the first of a cluster)
    /// answers its first requests as the leader, and a follower knows the leader from the start.
    func start() async {
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
    func finish() async {
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
    func run() async {
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

    // MARK: Leadership

    /// Builds a fresh router from the store (open conversations, each agent's last presence), puts it in
    /// place and starts the leader's jobs; then tells it of the streams open here.
    private func takeOver() async {
        let router = EmbeddedRouter(configuration: configuration, store: store, events: hub, clock: clock)
        do {
            for agent in configuration.agents {
                if let presence = try await lastPresence(of: agent.id) {
                    await router.restorePresence(presence, agentID: agent.id)
                }
            }
            await router.restore(
                conversations: try await store.conversations(matching: .init(status: .open, limit: 100_000)))
        } catch {
            logger.error("cluster: restoring the router from the store failed; leading with what was read: \(error)")
        }
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

    /// Stops the leader's jobs and router at once; this instance follows from now on.
    private func stepDown() async {
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
    func leaderURL() async -> String? {
        if state.withLock({ $0.leader }) == nil { await updateLeader() }
        let (leader, isLeader) = state.withLock { ($0.leader, $0.isLeader) }
        guard !isLeader, let leader, leader.url != advertiseURL else { return nil }
        return leader.url
    }

    /// After a forward failed: reads the leader again; the new URL when it changed.
    func leaderURLAfterFailure(_ failed: String) async -> String? {
        await updateLeader()
        guard let url = await leaderURL(), url != failed else { return nil }
        return url
    }

    // MARK: Calls to the leader's router

    /// Runs `call` on the local router when leading, else POSTs it to the leader (once more after reading the
    /// leader again when that fails). False when it reached no leader: logged, not fatal.
    @discardableResult
    func callLeader(_ call: ClusterCall) async -> Bool {
        if let router = leadingRouter {
            await perform(call, on: router)
            return true
        }
        guard let url = await leaderURL() else {
            logger.warning("cluster: no leader known for \(call.path); will be redone by the next leader")
            return false
        }
        if await post(call, to: url) { return true }
        if let router = leadingRouter {
            await perform(call, on: router)
            return true
        }
        if let next = await leaderURLAfterFailure(url), await post(call, to: next) { return true }
        logger.warning("cluster: the leader did not take \(call.path); will be redone by the next leader")
        return false
    }

    /// Runs a call on this instance's router (the leader's side of `/internal/cluster/…`).
    func perform(_ call: ClusterCall, on router: EmbeddedRouter) async {
        switch call {
        case .notify(let request): await router.notify(request)
        case .messageArrived(let body): await router.messageArrived(body.message, in: body.conversation)
        case .messageStatusChanged(let body): await router.messageStatusChanged(body.message, in: body.conversation)
        case .closeConversation(let body): await router.closeConversation(id: body.id, reason: body.reason)
        case .agentConnected(let body):
            for _ in 0..<max(0, body.count) { await router.agentConnected(body.agentID) }
        case .agentDisconnected(let body):
            for _ in 0..<max(0, body.count) { await router.agentDisconnected(body.agentID) }
        case .signIn(let body): await Self.signIn(body, router: router, hub: hub)
        }
    }

    /// What an opening stream does on the leader: sign in; the presence when the client lacks it; pending
    /// notifications its replay lacked.
    static func signIn(_ signIn: StreamSignIn, router: EmbeddedRouter, hub: AgentEventHub) async {
        let agentID = signIn.agentID
        await router.agentConnected(agentID)
        if signIn.sendPresence, let presence = await router.presence(agentID: agentID) {
            await hub.publish(.presence(agentID: agentID, presence), to: agentID)
        }
        let replayed = Set(signIn.replayedNotificationIDs)
        for notification in await router.pendingNotifications(agentID: agentID)
        where !replayed.contains(notification.id) {
            await hub.publish(.notification(notification), to: agentID)
        }
    }

    private func post(_ call: ClusterCall, to url: String) async -> Bool {
        do {
            let request = CurlRequest(
                method: "POST", url: url + call.path,
                headers: [
                    (name: "Authorization", value: "Bearer \(secret)"),
                    (name: "Content-Type", value: "application/json"),
                ], body: try call.body(), timeout: 10, connectTimeout: 2)
            let response = try await client.execute(request)
            guard (200..<300).contains(response.status) else {
                logger.warning("cluster: leader \(url) answered \(response.status) to \(call.path)")
                return false
            }
            return true
        } catch {
            logger.warning("cluster: calling leader \(url) for \(call.path) failed: \(error)")
            return false
        }
    }

    // MARK: Streams open here

    /// An agent's stream opened here: the leader signs it in (see ``signIn(_:router:hub:)``).
    func streamOpened(_ signIn: StreamSignIn) async {
        await registrationLock.withLock {
            await self.reconcileLocked()
            await self.callLeader(.signIn(signIn))
            // A leader met during the call has this stream; the others open here are told after it.
            await self.reconcileLocked()
            self.registration.withLock { $0.streams[signIn.agentID, default: 0] += 1 }
        }
    }

    /// An agent's stream here closed.
    func streamClosed(agentID: String) async {
        await registrationLock.withLock {
            await self.reconcileLocked()
            self.registration.withLock { registration in
                registration.streams[agentID, default: 0] -= 1
                if registration.streams[agentID, default: 0] <= 0 { registration.streams[agentID] = nil }
            }
            await self.callLeader(.agentDisconnected(AgentStreams(agentID: agentID, count: 1)))
            await self.reconcileLocked()
        }
    }

    /// Tells a leader that does not know them yet of every stream open here: this instance's router once after
    /// it took over, another leader once per term. Call under ``registrationLock``.
    private func reconcileLocked() async {
        let (isLeader, leader) = state.withLock { ($0.isLeader, $0.leader) }
        let streams = registration.withLock { $0.streams }
        if isLeader {
            guard !registration.withLock({ $0.selfRegistered }) else { return }
            registration.withLock { $0.selfRegistered = true }
            let router = routers.current
            for (agentID, count) in streams {
                for _ in 0..<count { await router.agentConnected(agentID) }
            }
            return
        }
        guard let leader, leader.url != advertiseURL, leader.term > registration.withLock({ $0.term }) else { return }
        registration.withLock { $0.term = leader.term }
        for (agentID, count) in streams where count > 0 {
            let call = ClusterCall.agentConnected(AgentStreams(agentID: agentID, count: count))
            if !(await post(call, to: leader.url)) {
                logger.warning("cluster: leader \(leader.url) was not told of agent \(agentID)'s open streams")
            }
        }
    }
}

/// A `presence` event's data as the log keeps it (``PresenceBody``).
struct StoredPresence: Decodable {
    var agentId: String
    var status: PresenceStatus
    var setBy: PresenceSetter
    var reason: String?
    var since: Date

    static func decode(_ data: String) throws -> StoredPresence {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try Date(text, strategy: ContractJSON.timestampStyle)
        }
        return try decoder.decode(StoredPresence.self, from: Data(data.utf8))
    }
}
