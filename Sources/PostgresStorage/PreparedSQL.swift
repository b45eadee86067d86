import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A statement the store runs for every webhook, prepared once per connection rather than parsed and planned at
/// every call: postgres-nio prepares it by ``name`` on a connection's first use (in the same round trip as that
/// first execution) and afterwards sends only its bindings. Parsing and planning were most of the server's work
/// per webhook (measured with `perf`: an unnamed statement per call ran at half the transactions per second of
/// the same statements prepared, `pgbench -M extended` against `-M prepared`).
///
/// The bindings of one statement must have the same types at every call (an optional binds its wrapped type
/// when `nil`), since the server fixes them at the first.
protocol PreparedSQL: Sendable {
    static var sql: String { get }
}

extension PreparedSQL {
    /// The server-side name: the type's name inside this module, e.g. `DedupeKeys.ClaimReadingContacts`
    /// (PostgreSQL keeps 63 bytes of a name). Read at every execution, so made once per type (spelling a type's
    /// name out takes about half a microsecond).
    static var name: String {
        preparedNames.withLock { names in
            if let name = names[ObjectIdentifier(Self.self)] { return name }
            let full = String(reflecting: Self.self)
            let module = "PostgresStorage."
            let name = full.hasPrefix(module) ? String(full.dropFirst(module.count)) : full
            names[ObjectIdentifier(Self.self)] = name
            return name
        }
    }
}

/// ``PreparedSQL/name`` of each statement type, once made.
private let preparedNames = Mutex<[ObjectIdentifier: String]>([:])

/// One execution of a ``PreparedSQL`` with its bindings, in postgres-nio's terms.
struct PreparedCall<SQL: PreparedSQL>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { SQL.name }
    static var sql: String { SQL.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension SQLSession {
    /// Every row of a prepared statement.
    func rows<SQL: PreparedSQL>(
        _ statement: SQL.Type, _ values: [any SQLBindable]
    ) async throws
        -> [PostgresRandomAccessRow]
    {
        let call = PreparedCall<SQL>(bindings: Self.bindings(values))
        let connection = connection
        let logger = logger
        let promise = connection.eventLoop.makePromise(of: [PostgresRandomAccessRow].self)
        promise.completeWithTask {
            var rows: [PostgresRandomAccessRow] = []
            for try await row in try await connection.execute(call, logger: logger) {
                rows.append(row.makeRandomAccess())
            }
            return rows
        }
        do {
            return try await Self.untilClosed(connection) { promise.futureResult }
        } catch {
            // postgres-nio keeps a failed preparation's error for the connection's life: a statement first
            // prepared inside a transaction that had already failed would fail on it for good. Such a
            // connection is closed, and the pool opens a fresh one.
            if PostgresFailure.mayHaveFailedPreparation(error) { try? await connection.close() }
            throw error
        }
    }

    /// The first row of a prepared statement, if any.
    func row<SQL: PreparedSQL>(
        _ statement: SQL.Type, _ values: [any SQLBindable]
    ) async throws
        -> PostgresRandomAccessRow?
    {
        try await rows(statement, values).first
    }

    /// Runs a prepared statement; returns how many rows it returned.
    @discardableResult
    func run<SQL: PreparedSQL>(_ statement: SQL.Type, _ values: [any SQLBindable] = []) async throws -> Int {
        try await rows(statement, values).count
    }
}
