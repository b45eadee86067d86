import Foundation
import Logging
import PostgresNIO
import Switchboard

/// The ``Store`` over PostgreSQL (postgres-nio), for several gateway instances sharing one database.
///
/// Every ``Store`` method is one transaction on a connection of the store's pool (`PostgresClient`). The
/// read-check-write sequences hold across processes through the database's own locks: dedupe keys are claimed with
/// `INSERT … ON CONFLICT DO NOTHING`, one open conversation per customer is a partial unique index, agent event
/// numbers come from a per-agent counter row (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), an outbox claim is
/// one conditional `UPDATE`, and the rows a method reads before changing them are locked (`FOR UPDATE`).
/// Resources that have no row yet (a delivery report waiting for its message, a concatenated message's group) are
/// locked with transaction-scoped advisory locks.
///
/// A call that cannot get a connection within ``Options/connectionTimeout``, or whose connection breaks, throws
/// ``SwitchboardError`` `unavailable` (503); the pool reconnects by itself once the server is back.
///
/// ```swift
/// try await PostgresStore.withStore(url: "postgres://switchboard:secret@db:5432/switchboard") { store in
///     try await serve(store)
/// }
/// ```
public final class PostgresStore: Store {
    /// How a store is opened.
    public struct Options: Sendable, Equatable {
        /// How long a call waits for a pooled connection (the server down, or every connection busy) before it
        /// fails `unavailable`; also the TCP connect timeout of one connection attempt.
        public var connectionTimeout: Duration
        /// The most connections the pool opens.
        public var maximumConnections: Int
        /// How long an outbox entry stays `sending` before it is presumed lost (the sender crashed mid-request)
        /// and is due again.
        public var sendingLease: TimeInterval
        /// How many events each agent's replay log keeps.
        public var agentEventsKept: Int
        /// How many batches of inbound messages may be written at once, each in its own transaction on its own
        /// connection (group commit: concurrent webhooks share a transaction); 0 writes each message alone.
        public var inboundBatchLanes: Int

        public init(
            connectionTimeout: Duration = .seconds(5), maximumConnections: Int = 20, sendingLease: TimeInterval = 60,
            agentEventsKept: Int = 1000, inboundBatchLanes: Int = 4
        ) {
            self.connectionTimeout = connectionTimeout
            self.maximumConnections = maximumConnections
            self.sendingLease = sendingLease
            self.agentEventsKept = agentEventsKept
            self.inboundBatchLanes = inboundBatchLanes
        }
    }

    /// The database, without its password.
    public let url: PostgresDatabaseURL
    public let options: Options
    let client: PostgresClient
    let logger: Logger
    /// The group commit of inbound messages; `nil` when ``Options/inboundBatchLanes`` is 0.
    let inboundBatches: InboundBatchQueue?
    /// The group commit of core events delivered (remote core mode): two lanes.
    let coreEventCompletions = CoreEventCompletionQueue(lanes: 2)
    /// The planner's statistics while the inbound tables and the contacts are young.
    let inboundGrowth = GrowthAnalysis(tables: GrowthAnalysis.inbound)
    let contactGrowth = GrowthAnalysis(tables: GrowthAnalysis.contacts)

    /// A store on the database `url` names. Nothing connects yet: ``run()`` must be running (it runs the
    /// connection pool) and ``migrate()`` must have succeeded before other calls. ``withStore(url:options:logger:_:)``
    /// does both.
    public init(
        url: PostgresDatabaseURL, options: Options = Options(), logger: Logger = Logger(label: "switchboard.postgres")
    ) {
        self.url = url
        self.options = options
        self.logger = logger
        inboundBatches =
            options.inboundBatchLanes > 0
            ? InboundBatchQueue(lanes: min(options.inboundBatchLanes, max(1, options.maximumConnections / 2))) : nil
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: url.clientTLS())
        configuration.options.connectTimeout = options.connectionTimeout
        configuration.options.maximumConnections = max(1, options.maximumConnections)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Runs the connection pool until the calling task is cancelled (or a graceful shutdown of the
    /// `ServiceGroup` running it). Call once.
    public func run() async {
        await client.run()
    }

    /// Opens a store on the database a `postgres://` setting names, brings its schema up to date, runs `body`,
    /// then closes the pool — the store must not be used after `body` returns.
    ///
    /// - Throws: ``SwitchboardError`` `invalid-request` for a URL that does not parse, `unavailable` when the
    ///   database cannot be reached or refuses the login (the message names the server's answer, never the
    ///   password); whatever `body` throws.
    public static func withStore<T: Sendable>(
        url: String, options: Options = Options(), logger: Logger = Logger(label: "switchboard.postgres"),
        _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = PostgresStore(url: try PostgresDatabaseURL(parsing: url), options: options, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            try await store.migrate()
            return try await body(store)
        }
    }

    /// The names of the schema migrations this version applies, oldest first.
    public static var migrationNames: [String] { PostgresSchema.migrations.map(\.name) }

    /// Applies the schema migrations not applied yet, in one transaction; instances starting together take turns
    /// (advisory lock). Returns the names applied now.
    ///
    /// Connects on its own (not through the pool) so that a wrong password, a missing database or a refused
    /// connection is reported as the server answered it (`unavailable`, naming the answer) rather than as a timeout.
    @discardableResult
    public func migrate() async throws -> [String] {
        let connection: PostgresConnection
        do {
            var configuration = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.username, password: url.password,
                database: url.database, tls: try url.connectionTLS())
            let (seconds, attoseconds) = options.connectionTimeout.components
            configuration.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw SwitchboardError.unavailable("database \(url) cannot be opened: \(PostgresFailure.describe(error))")
        }
        do {
            let applied = try await Self.inTransaction(SQLSession(connection: connection, logger: logger)) {
                try await PostgresSchema.migrate($0)
            }
            try? await connection.close()
            if !applied.isEmpty { logger.info("database \(url): applied migrations \(applied)") }
            return applied
        } catch {
            try? await connection.close()
            throw PostgresFailure.mapped(error, url: url)
        }
    }

    public func ping() async throws {
        try await read { session in try await session.run("SELECT 1") }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction on a pooled connection. Run again, up to three times in all, when it
    /// failed before `COMMIT` was sent (so the server committed nothing) because of:
    /// - a deadlock or serialization failure (two instances locking the same rows in another order);
    /// - a dead connection (the server restarted, or ended the session, while it sat idle in the pool): the
    ///   pool opens a new one.
    /// A failure of `COMMIT` itself is not retried: whether it committed is unknown, and the caller gets 503.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (SQLSession) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withSession { session in try await Self.inTransaction(session, body) }
            } catch let error as NotCommitted
                where attempt < 3
                && (PostgresFailure.isRetryable(error.underlying) || PostgresFailure.isConnectionLoss(error.underlying))
            {
                attempt += 1
            } catch let error as NotCommitted {
                throw PostgresFailure.mapped(error.underlying, url: url)
            } catch {
                throw PostgresFailure.mapped(error, url: url)
            }
        }
    }

    /// Runs one read statement (or reads that need no common snapshot) on a pooled connection; once more on a
    /// new connection when the first one turns out dead (reads change nothing, so running one again is safe).
    @discardableResult
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLSession) async throws -> T) async throws -> T {
        do {
            return try await withSession(body)
        } catch let error where PostgresFailure.isConnectionLoss(error) {
            do {
                return try await withSession(body)
            } catch {
                throw PostgresFailure.mapped(error, url: url)
            }
        } catch {
            throw PostgresFailure.mapped(error, url: url)
        }
    }

    /// `BEGIN`, `body`, `COMMIT`. What fails before `COMMIT` is sent is thrown as ``NotCommitted``.
    static func inTransaction<T: Sendable>(
        _ session: SQLSession, _ body: @Sendable (SQLSession) async throws -> T
    ) async throws -> T {
        let value: T
        do {
            try await session.run(Begin.self)
            value = try await body(session)
        } catch {
            // On a broken connection the rollback fails too; the server rolls back when the session ends.
            _ = try? await session.run("ROLLBACK")
            throw NotCommitted(underlying: error)
        }
        try await session.run(Commit.self)
        return value
    }

    enum Begin: PreparedSQL { static let sql = "BEGIN" }
    enum Commit: PreparedSQL { static let sql = "COMMIT" }

    /// Leases a connection for `body`, waiting at most ``Options/connectionTimeout`` for it. Only the wait is
    /// bounded: once leased, the body runs to its end (an import may take longer).
    func withSession<T: Sendable>(_ body: @escaping @Sendable (SQLSession) async throws -> T) async throws -> T {
        let lease = LeaseRace()
        let timeout = options.connectionTimeout
        let client = client
        let logger = logger
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    guard lease.leased() else { throw ConnectionWaitTimeout(timeout: timeout) }
                    return try await body(SQLSession(connection: connection, logger: logger))
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                if lease.timedOut() { throw ConnectionWaitTimeout(timeout: timeout) }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw ConnectionWaitTimeout(timeout: timeout)
        }
    }
}

/// Who won: the connection lease or the timeout. Whichever comes second gives up, so a body never starts after
/// its caller was told `unavailable`.
private final class LeaseRace: @unchecked Sendable {
    private enum State {
        case waiting
        case leased
        case timedOut
    }

    private let lock = NSLock()
    private var state = State.waiting

    /// `true` when the lease came first.
    func leased() -> Bool {
        lock.withLock {
            guard state == .waiting else { return false }
            state = .leased
            return true
        }
    }

    /// `true` when the timeout came first.
    func timedOut() -> Bool {
        lock.withLock {
            guard state == .waiting else { return false }
            state = .timedOut
            return true
        }
    }
}

/// A transaction failed before its `COMMIT` was sent: the server committed none of it.
struct NotCommitted: Error {
    var underlying: any Error
}

/// No pooled connection within the store's connection timeout.
struct ConnectionWaitTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no connection within \(timeout)" }
}
