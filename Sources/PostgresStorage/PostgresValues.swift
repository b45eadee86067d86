import Foundation
import Logging
import PostgresNIO
import Switchboard

// How domain values are written to and read from PostgreSQL columns: the same choices as the SQLite store
// (times as BIGINT milliseconds since 1970, small documents as JSON text), so both stores give back equal values.

/// A value bound to a `$n` parameter. Optionals bind SQL `NULL` with their wrapped type.
protocol SQLBindable {
    func append(to bindings: inout PostgresBindings)
}

extension String: SQLBindable {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int: SQLBindable {
    func append(to bindings: inout PostgresBindings) { bindings.append(Int64(self)) }
}

extension Int64: SQLBindable {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Bool: SQLBindable {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Array: SQLBindable where Element: PostgresArrayEncodable & PostgresNonThrowingEncodable {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Optional: SQLBindable where Wrapped: PostgresDynamicTypeEncodable {
    func append(to bindings: inout PostgresBindings) { bindings.append(self) }
}

/// One leased connection inside one transaction: runs statements with `$n` parameters.
struct SQLSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// The bindings of `values`, in order (`$1`, `$2`, …): built before a closure that runs later captures them.
    static func bindings(_ values: [any SQLBindable]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { value.append(to: &bindings) }
        return bindings
    }

    /// Every row of a statement.
    func rows(_ sql: String, _ values: [any SQLBindable] = []) async throws -> [PostgresRandomAccessRow] {
        try await rows(sql, bindings: Self.bindings(values))
    }

    /// Every row of a statement with prepared bindings.
    func rows(_ sql: String, bindings: PostgresBindings) async throws -> [PostgresRandomAccessRow] {
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let connection = connection
        let logger = logger
        let result = try await Self.untilClosed(connection) { connection.query(query, logger: logger) }
        return result.rows.map { $0.makeRandomAccess() }
    }

    /// Waits for `start`'s result, or fails with ``ConnectionClosed`` once the connection closes. postgres-nio
    /// never completes a statement written to a connection that closed a moment before (a server that ended the
    /// session while it sat in the pool): without the race the call would hang.
    static func untilClosed<T: Sendable>(
        _ connection: PostgresConnection, _ start: () -> EventLoopFuture<T>
    ) async throws -> T {
        let future = start()
        let first = FirstCompletion()
        return try await withCheckedThrowingContinuation { continuation in
            future.whenComplete { result in
                if first.claim() { continuation.resume(with: result) }
            }
            connection.closeFuture.whenComplete { _ in
                if first.claim() { continuation.resume(throwing: ConnectionClosed()) }
            }
        }
    }

    /// Streams `chunks` into `table` with `COPY … FROM STDIN`, failing with ``ConnectionClosed`` if the connection
    /// closes first (as ``untilClosed(_:_:)``; the abandoned copy ends with its connection).
    func copy(into table: String, _ chunks: [String]) async throws {
        let connection = connection
        let logger = logger
        let promise = connection.eventLoop.makePromise(of: Void.self)
        promise.completeWithTask {
            try await connection.copyFrom(table: table, logger: logger) { writer in
                for chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
            }
        }
        try await Self.untilClosed(connection) { promise.futureResult }
    }

    /// The first row of a statement, if any.
    func row(_ sql: String, _ values: [any SQLBindable] = []) async throws -> PostgresRandomAccessRow? {
        try await rows(sql, values).first
    }

    /// Runs a statement; returns how many rows it returned (statements count changed rows with `RETURNING 1`).
    @discardableResult
    func run(_ sql: String, _ values: [any SQLBindable] = []) async throws -> Int {
        try await rows(sql, values).count
    }

    /// Takes a transaction-scoped advisory lock on `key` (hashed): writers of one logical resource that has no
    /// row to lock yet (a delivery report's provider id, a concatenated message's group) queue behind each other.
    func lock(_ key: String) async throws {
        try await run(AdvisoryLock.self, [key])
    }

    enum AdvisoryLock: PreparedSQL {
        static let sql = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
    }

    /// Like ``lock(_:)`` without waiting: `false` when another transaction holds it.
    func tryLock(_ key: String) async throws -> Bool {
        guard let row = try await row("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked", [key])
        else { return false }
        return try row.required("locked")
    }
}

/// The connection closed under a statement.
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection closed" }
}

/// Which of several callbacks came first: only that one acts.
final class FirstCompletion: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    /// `true` for the first caller only.
    func claim() -> Bool {
        lock.withLock {
            defer { claimed = true }
            return !claimed
        }
    }
}

extension PostgresRandomAccessRow {
    /// A non-null column, or a ``StorageCorruption`` naming it.
    func required<Value: PostgresDecodable>(_ column: String) throws -> Value {
        guard contains(column) else { throw StorageCorruption(what: "column \(column) is missing") }
        do {
            return try self[column].decode(Value.self)
        } catch {
            throw StorageCorruption(what: "column \(column) is null or of the wrong type")
        }
    }

    /// A nullable column.
    func optional<Value: PostgresDecodable>(_ column: String) throws -> Value? {
        guard contains(column) else { throw StorageCorruption(what: "column \(column) is missing") }
        let cell = self[column]
        guard cell.bytes != nil else { return nil }
        do {
            return try cell.decode(Value.self)
        } catch {
            throw StorageCorruption(what: "column \(column) is of the wrong type")
        }
    }

    func date(_ column: String) throws -> Date {
        Date(storedMilliseconds: try required(column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        let milliseconds: Int64? = try optional(column)
        return milliseconds.map(Date.init(storedMilliseconds:))
    }

    /// A column holding the raw value of a `String`-backed enum.
    func enumValue<Value: RawRepresentable>(_ column: String) throws -> Value where Value.RawValue == String {
        let raw: String = try required(column)
        guard let value = Value(rawValue: raw) else {
            throw StorageCorruption(what: "column \(column) holds unknown value \(raw)")
        }
        return value
    }

    /// An error stored as two columns `<prefix>_code` and `<prefix>_message`.
    func providerError(_ prefix: String) throws -> ProviderErrorDetail? {
        let code: String? = try optional(prefix + "_code")
        let message: String? = try optional(prefix + "_message")
        guard let code else { return nil }
        return ProviderErrorDetail(code: code, message: message ?? "")
    }
}
