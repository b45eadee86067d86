import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import Switchboard
import Testing

/// A throwaway database `sb_test_<uuid>` on the test server (`SWITCHBOARD_TEST_POSTGRES_URL`), so tests run in
/// parallel without seeing each other's rows. Every store opened on it runs its pool in a task that ``remove()``
/// cancels before dropping the database.
final class PostgresTestDatabase: Sendable {
    static let variable = "SWITCHBOARD_TEST_POSTGRES_URL"

    /// The server's URL, or a recorded issue telling how to start one (the PostgreSQL cases fail, never skip).
    static func serverURL(sourceLocation: SourceLocation = #_sourceLocation) throws -> PostgresDatabaseURL {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            Issue.record(
                """
                \(variable) is not set: start the test server with `scripts/postgres-server.sh start` and export \
                \(variable)=postgres://switchboard@127.0.0.1:54329/switchboard
                """, sourceLocation: sourceLocation)
            throw MissingTestServer()
        }
        return try PostgresDatabaseURL(parsing: url)
    }

    struct MissingTestServer: Error, CustomStringConvertible {
        var description: String { "\(PostgresTestDatabase.variable) is not set" }
    }

    /// The pool options of stores under test: few connections each (many tests run at once on one server), and a
    /// long wait for one: the whole suite runs at once on two cores, and a 503 here would be the load, not the store.
    static let options = PostgresStore.Options(
        connectionTimeout: .seconds(30), maximumConnections: 4, sendingLease: Conformance.sendingLease,
        agentEventsKept: Conformance.agentEventsKept)

    /// The stores' logger: the pool logs each failed connection attempt, which the outage tests cause on purpose.
    static let logger: Logger = {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .error
        return logger
    }()

    let url: PostgresDatabaseURL
    let server: PostgresDatabaseURL
    private let runs = RunningStores()

    private init(url: PostgresDatabaseURL, server: PostgresDatabaseURL) {
        self.url = url
        self.server = server
    }

    static func create() async throws -> PostgresTestDatabase {
        let server = try serverURL()
        let name = "sb_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administer(server, "CREATE DATABASE \(name)")
        var url = server
        url.database = name
        return PostgresTestDatabase(url: url, server: server)
    }

    /// Runs `body` with a store on a new database, dropped afterwards whatever happens.
    static func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        let database = try await create()
        do {
            try await body(try await database.open())
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }

    /// A new store (a new pool: another "instance") on this database, migrated.
    func open(options: PostgresStore.Options = PostgresTestDatabase.options) async throws -> PostgresStore {
        let store = PostgresStore(url: url, options: options, logger: Self.logger)
        await runs.add(Task { await store.run() })
        try await store.migrate()
        return store
    }

    /// Closes every store opened here and drops the database (`WITH (FORCE)` ends any session left).
    func remove() async {
        await runs.stopAll()
        do {
            try await Self.administer(server, "DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)")
        } catch {
            Issue.record("dropping test database \(url.database) failed: \(error)")
        }
    }

    /// Runs one statement on the server's own database, on a connection of its own.
    static func administer(_ server: PostgresDatabaseURL, _ sql: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: server.host, port: server.port, username: server.username, password: server.password,
                database: server.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// The pool tasks of the stores a test opened.
private actor RunningStores {
    private var tasks: [Task<Void, Never>] = []

    func add(_ task: Task<Void, Never>) { tasks.append(task) }

    func stopAll() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        tasks = []
    }
}
