import Curl
import Foundation
import GatewayAssembly
import Logging
import PostgresNIO
import PostgresStorage
import Server
import Switchboard
import Synchronization
import TestHTTPServer
import Testing

/// Gateways running in this process on loopback ports, sharing one fresh PostgreSQL database: a cluster.
/// Each instance is a ``GatewayHarness`` for calls; ``stop(_:)`` shuts one down gracefully (its leader lock goes
/// with its connection).
final class TestCluster: Sendable {
    static let secret = "cluster-test-secret"

    let instances: [GatewayHarness]
    /// The shared database's URL.
    let database: String
    private let servers: [Task<Void, any Error>]
    private let stoppers: [ServerStopper]
    private let stopped = Mutex(Set<Int>())

    private init(
        instances: [GatewayHarness], database: String, servers: [Task<Void, any Error>], stoppers: [ServerStopper]
    ) {
        self.instances = instances
        self.database = database
        self.servers = servers
        self.stoppers = stoppers
    }

    /// Starts `count` instances of `configuration` on one fresh database, waits until one leads and every
    /// other forwards to it, runs `body`, stops them.
    /// With `reloadSource`, each instance reloads what it returns, on its own port and the shared database.
    static func with<Result: Sendable>(
        _ configuration: Configuration, count: Int = 2,
        reloadSource: (@Sendable () throws(SwitchboardError) -> Configuration)? = nil,
        _ body: @Sendable (TestCluster) async throws -> Result
    ) async throws -> Result {
        try await PostgresTestServer.withDatabase { database in
            try await CurlClient.withCurlClient { client in
                var instances: [GatewayHarness] = []
                var servers: [Task<Void, any Error>] = []
                var stoppers: [ServerStopper] = []
                for _ in 0..<count {
                    let (instance, server, stopper) = try await startInstance(
                        configuration, database: database, reloadSource: reloadSource, client: client)
                    servers.append(server)
                    stoppers.append(stopper)
                    instances.append(instance)
                }
                let cluster = TestCluster(
                    instances: instances, database: database, servers: servers, stoppers: stoppers)
                do {
                    try await cluster.waitUntilSettled()
                    let result = try await body(cluster)
                    await cluster.stopAll()
                    return result
                } catch {
                    await cluster.stopAll()
                    throw error
                }
            }
        }
    }

    /// Starts one instance on a free port and waits until it listens. The port is found free, then bound by the
    /// gateway a moment later: a test running beside this one can take it in between (then this gateway fails to
    /// bind, and the other test's gateway would answer this instance's requests), so a gateway that ends before it
    /// listens is started again on another port.
    private static func startInstance(
        _ configuration: Configuration, database: String,
        reloadSource: (@Sendable () throws(SwitchboardError) -> Configuration)?, client: CurlClient
    ) async throws -> (GatewayHarness, Task<Void, any Error>, ServerStopper) {
        var attempt = 0
        while true {
            attempt += 1
            let port = try await ChildGateway.freePort()
            var configuration = configuration
            configuration.listen = .init(host: "127.0.0.1", port: port)
            configuration.database = database
            configuration.cluster = .init(secret: secret)
            var logger = Logger(label: "switchboard.cluster-test.\(port)")
            logger.logLevel = .warning
            let stopper = ServerStopper()
            var options = SwitchboardServer.Options(shutdownSignals: [], stopper: stopper)
            options.reloadSignals = []
            if let reloadSource {
                options.reloadSource = { [configuration] () throws(SwitchboardError) -> Configuration in
                    var reloaded = try reloadSource()
                    (reloaded.listen, reloaded.database) = (configuration.listen, configuration.database)
                    reloaded.cluster = configuration.cluster
                    return reloaded
                }
            }
            let (listening, listened) = AsyncStream<Int>.makeStream()
            options.onListening = { port in
                listened.yield(port)
                listened.finish()
            }
            let server = Task { [configuration, logger, options] in
                defer { listened.finish() }
                try await SwitchboardServer.run(configuration: configuration, logger: logger, options: options)
            }
            var iterator = listening.makeAsyncIterator()
            if await iterator.next() != nil {
                return (GatewayHarness(port: port, configuration: configuration, client: client), server, stopper)
            }
            // Ended before listening: the port was taken, or something else failed (said after a few attempts).
            guard attempt < 3 else {
                if case .failure(let error) = await server.result { throw error }
                throw TestFailure("a cluster instance ended before it listened")
            }
        }
    }

    func stop(_ index: Int) async {
        guard stopped.withLock({ $0.insert(index).inserted }) else { return }
        await stoppers[index].stop()
        _ = await servers[index].result
    }

    private func stopAll() async {
        for index in instances.indices { await stop(index) }
    }

    /// Whether the instance reports `switchboard_cluster_leader 1`; nil when it does not answer.
    func isLeader(_ index: Int) async -> Bool? {
        guard let metrics = try? await instances[index].request("GET", "/metrics"), metrics.status == 200 else {
            return nil
        }
        return metrics.text.split(separator: "\n").contains("switchboard_cluster_leader 1")
    }

    /// The index of the one running instance that leads, once there is exactly one (within `timeout`).
    func leader(within timeout: Duration = .seconds(20)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var leaders: [Int] = []
            for index in instances.indices where !stopped.withLock({ $0.contains(index) }) {
                if await isLeader(index) == true { leaders.append(index) }
            }
            if leaders.count == 1 { return leaders[0] }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no single cluster leader within \(timeout)")
    }

    /// A running instance other than `index`.
    func follower(of index: Int) -> Int {
        let stopped = stopped.withLock { $0 }
        return instances.indices.first { $0 != index && !stopped.contains($0) } ?? index
    }

    /// One leader, and every running instance answers the agent API (followers through the leader).
    func waitUntilSettled(within timeout: Duration = .seconds(30)) async throws {
        _ = try await leader(within: timeout)
        let deadline = ContinuousClock.now + timeout
        // In remote mode there is no agent API to forward: each instance answers `/v1/conversations` itself.
        let probe = instances.first?.configuration.router.mode == .remote ? "/v1/conversations" : "/v1/agents"
        for index in instances.indices where !stopped.withLock({ $0.contains(index) }) {
            while true {
                let response = try? await instances[index].request("GET", probe, token: "admin-token")
                if response?.status == 200 { break }
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("instance \(index) did not reach the leader: \(response?.text ?? "no answer")")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

extension TestCluster {
    /// Runs one statement on the shared database; the first column of each row, as text.
    func query(_ sql: String) async throws -> [String] {
        let url = try PostgresDatabaseURL(parsing: database)
        var logger = Logger(label: "test.cluster.sql")
        logger.logLevel = .error
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: url.host, port: url.port, username: url.username, password: url.password,
                database: url.database, tls: .disable),
            id: 1, logger: logger)
        do {
            var values: [String] = []
            for try await (value) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                .decode(String.self)
            {
                values.append(value)
            }
            try await connection.close()
            return values
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
