import Foundation
import GRDB
import Switchboard

/// The ``Store`` over SQLite (GRDB), the embedded default.
///
/// A file database is opened as a `DatabasePool` in WAL mode: one writer at a time, readers beside it.
/// Every writing ``Store`` method runs inside an immediate transaction, alone in its own savepoint, so the
/// read-check-write sequences (dedupe, one open conversation per customer, agent event sequence numbers) cannot
/// interleave, even between processes sharing the file (`serve` and `switchboard send`). Concurrent calls share
/// one transaction (``GroupCommit``): each returns only once that transaction has committed. Waiting for
/// another process's write lock is bounded by ``Options/busyTimeout``; past it, and on I/O errors, methods throw
/// ``SwitchboardError`` `unavailable` (503).
///
/// Durability is ``Options/synchronous``: by default (`normal`) a returned write survives the process being
/// killed at any moment; `full` makes it survive an operating-system crash or power loss too, at the cost of
/// one `fsync` per shared transaction.
///
/// ```swift
/// let store = try SQLiteStore.open(url: configuration.database)   // "sqlite:./switchboard.sqlite"
/// ```
public final class SQLiteStore: Store {
    /// How a store is opened.
    public struct Options: Sendable, Equatable {
        /// How long a write waits for another connection's lock before the call fails `unavailable`.
        public var busyTimeout: TimeInterval
        /// How long an outbox entry stays `sending` before it is presumed lost (the sender crashed mid-request)
        /// and is due again. Longer than any send request can take, so an in-flight reply is never sent twice.
        public var sendingLease: TimeInterval
        /// How many events each agent's replay log keeps.
        public var agentEventsKept: Int
        /// How far a commit is on disk before a write returns (SQLite's `PRAGMA synchronous` in WAL mode).
        public var synchronous: Synchronous

        public init(
            busyTimeout: TimeInterval = 5, sendingLease: TimeInterval = 60, agentEventsKept: Int = 1000,
            synchronous: Synchronous = .normal
        ) {
            self.busyTimeout = busyTimeout
            self.sendingLease = sendingLease
            self.agentEventsKept = agentEventsKept
            self.synchronous = synchronous
        }
    }

    /// What a returned write survives (file databases; an in-memory one survives nothing).
    public enum Synchronous: String, Sendable, Equatable {
        /// `synchronous=NORMAL`: the commit is in the WAL file, which is synced at checkpoints. Survives the
        /// process crashing or being killed; an operating-system crash or power loss can lose the last commits
        /// (never corrupting the database).
        case normal
        /// `synchronous=FULL`: the WAL file is synced at every commit (one `fsync` per shared transaction).
        /// Survives operating-system crashes and power loss too.
        case full
    }

    /// The path the store was opened with (`:memory:` for an in-memory database).
    public let path: String
    /// The options the store was opened with.
    public let options: Options
    let writer: any DatabaseWriter
    /// Every write goes through it, so concurrent writes share transactions.
    let groupCommit: GroupCommit
    /// Checkpoints a file database beside the writer (`nil` in memory).
    let checkpointer: WALCheckpointer?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Parameter path: a file path, or `:memory:` for a private in-memory database (tests; lost on release).
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        var configuration = Configuration()
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "switchboard"
        configuration.foreignKeysEnabled = true
        // Deleted rows are overwritten with zeros, not just unlinked: an erased customer's number and messages are
        // gone from the file (and, once checkpointed, from the WAL), not merely hidden (CONTRACT.md §12).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        do {
            let writer: any DatabaseWriter
            if path == ":memory:" {
                writer = try DatabaseQueue(configuration: configuration)
                checkpointer = nil
            } else {
                // DatabasePool puts the file in WAL mode.
                writer = try DatabasePool(path: path, configuration: configuration)
                let synchronous = options.synchronous == .full ? "FULL" : "NORMAL"
                try writer.writeWithoutTransaction { db in
                    // GRDB's WAL set-up chose NORMAL on the one writer connection (readers never write).
                    try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                    // Checkpoints run beside the writer instead of inside a commit (WALCheckpointer).
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                    // Each operation of a shared transaction runs in a savepoint (GroupCommit), and SQLite keeps
                    // every page an operation changes in the savepoint's sub-journal; past 64 kB that journal is
                    // a temporary file, so a webhook cost about 20 `pwrite`s of 4 kB into it, eight times what
                    // its commit writes to the WAL. In memory it is a copy (the journal only ever serves a
                    // rollback of this transaction, never recovery); it holds at most the pages one operation
                    // changes (retention deletes in bounded batches). The writer's temporary sorts are in memory too.
                    try db.execute(sql: "PRAGMA temp_store = MEMORY")
                }
                checkpointer = try WALCheckpointer(path: path, configuration: configuration, writer: writer)
            }
            self.writer = writer
            groupCommit = GroupCommit(writer: writer, afterTransaction: { [checkpointer] in checkpointer?.committed() })
            try SQLiteSchema.migrator.migrate(writer)
        } catch let error as DatabaseError {
            throw SwitchboardError.unavailable(
                "database \(path) cannot be opened: \(error.resultCode) \(error.message ?? ""); "
                    + "check the path in `database` and that the directory is writable")
        }
    }

    /// Opens the store a `database` setting names: `sqlite:PATH` (relative paths are relative to the working
    /// directory) or `sqlite::memory:`.
    ///
    /// - Throws: ``SwitchboardError`` `invalid-request` for any other scheme or an empty path.
    public static func open(url: String, options: Options = Options()) throws -> SQLiteStore {
        try SQLiteStore(path: path(fromURL: url), options: options)
    }

    /// The file path of a `sqlite:PATH` setting (`sqlite://PATH` is accepted too).
    public static func path(fromURL url: String) throws -> String {
        guard url.hasPrefix("sqlite:") else {
            throw SwitchboardError.invalidRequest(
                "database \"\(url.prefix(16))…\" is not an SQLite URL; expected sqlite:PATH", field: "database")
        }
        var path = String(url.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path.removeFirst(2) }
        guard !path.isEmpty else {
            throw SwitchboardError.invalidRequest(
                "database \(url) names no file; expected sqlite:PATH", field: "database")
        }
        return path
    }

    /// The names of the schema migrations this version applies, oldest first.
    public static var migrationNames: [String] { SQLiteSchema.migrationNames }

    public func ping() async throws {
        try await read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: Transactions

    /// Runs `updates` in its own savepoint of the next shared write transaction (``GroupCommit``) and returns once
    /// that transaction committed; SQLite's transient failures become `unavailable`.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await groupCommit.write(updates)
        } catch let error as DatabaseError {
            throw Self.mapped(error)
        }
    }

    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(value)
        } catch let error as DatabaseError {
            throw Self.mapped(error)
        }
    }

    /// Busy, locked, I/O, full disk and the like are the database being unreachable for now (503, retry later);
    /// anything else (a constraint, a bug) stays a `DatabaseError`.
    static func mapped(_ error: DatabaseError) -> any Error {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_READONLY,
            .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_NOMEM, .SQLITE_PROTOCOL, .SQLITE_INTERRUPT:
            return SwitchboardError.unavailable(
                "database unavailable: \(error.resultCode) \(error.message ?? "")")
        default:
            return error
        }
    }
}
