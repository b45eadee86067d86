import Foundation
import GRDB
import Switchboard

// How domain values are read from SQLite rows; the column formats both stores share are in
// Switchboard/StoredValues.swift (times as INTEGER milliseconds, documents as JSON text).

extension Row {
    /// The column named exactly `column` (else as GRDB finds it, ignoring case), `nil` when null. GRDB's lookup by
    /// name on a fetched row lower-cases every column name it passes at every access: decoding a conversation
    /// that way made some 200 strings, and `String.lowercased` was among the SQLite writer's top samples.
    func value<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ column: String) -> Value? {
        position(of: column).flatMap { value(at: $0) }
    }

    /// A non-null column, or a ``StorageCorruption`` naming it.
    func required<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ column: String) throws -> Value {
        try required(at: try position(requiring: column))
    }

    func date(_ column: String) throws -> Date {
        try date(at: try position(requiring: column))
    }

    func optionalDate(_ column: String) -> Date? {
        position(of: column).flatMap { optionalDate(at: $0) }
    }

    /// A column holding the raw value of a `String`-backed enum.
    func enumValue<Value: RawRepresentable>(_ column: String) throws -> Value where Value.RawValue == String {
        try enumValue(at: try position(requiring: column))
    }

    /// An error stored as two columns `<prefix>_code` and `<prefix>_message`.
    func providerError(_ prefix: String) -> ProviderErrorDetail? {
        let code: String? = value(prefix + "_code")
        let message: String? = value(prefix + "_message")
        guard let code else { return nil }
        return ProviderErrorDetail(code: code, message: message ?? "")
    }

    // By position: what the webhook path's decoders use (the columns of their own `SELECT`, in order).

    /// Column `index`, `nil` when null. Through GRDB's inlined statement path with the concrete type: on a row read
    /// in place (``Database/first(_:_:_:)``) straight from SQLite's column, no `DatabaseValue` made; by name and
    /// through the generic path, a returning customer's conversation cost a tenth of the SQLite writer's time
    /// (mostly type metadata looked up at run time).
    func value<Value: DatabaseValueConvertible & StatementColumnConvertible>(at index: Int) -> Value? {
        guard !hasNull(atIndex: index) else { return nil }
        return try? decode(Value.self, atIndex: index)
    }

    func required<Value: DatabaseValueConvertible & StatementColumnConvertible>(at index: Int) throws -> Value {
        guard let value: Value = value(at: index) else {
            throw StorageCorruption(what: "column \(columnName(at: index)) is null or of the wrong type")
        }
        return value
    }

    func date(at index: Int) throws -> Date {
        Date(storedMilliseconds: try required(at: index))
    }

    func optionalDate(at index: Int) -> Date? {
        let milliseconds: Int64? = value(at: index)
        return milliseconds.map(Date.init(storedMilliseconds:))
    }

    func enumValue<Value: RawRepresentable>(at index: Int) throws -> Value where Value.RawValue == String {
        let raw: String = try required(at: index)
        guard let value = Value(rawValue: raw) else {
            throw StorageCorruption(what: "column \(columnName(at: index)) holds unknown value \(raw)")
        }
        return value
    }

    /// Where the column named exactly `column` is, else the first whose name matches ignoring case.
    private func position(of column: String) -> Int? {
        if let exact = columnNames.enumerated().first(where: { $0.element == column }) { return exact.offset }
        let lowercased = column.lowercased()
        return columnNames.enumerated().first { $0.element.lowercased() == lowercased }?.offset
    }

    private func position(requiring column: String) throws -> Int {
        guard let index = position(of: column) else { throw StorageCorruption(what: "column \(column) is missing") }
        return index
    }

    private func columnName(at index: Int) -> String {
        Array(columnNames)[index]
    }
}

extension Database {
    /// Runs a statement through the connection's statement cache: hot paths compile their SQL once.
    func run(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// The first row of a cached statement, if any.
    func row(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    /// Every row of a cached statement.
    func rows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    /// The first row of a cached statement made into a value by `decode` while the statement holds it, without a
    /// copy of the row (each column of a copy is a `DatabaseValue`, each text a new string); `nil` when none.
    func first<Value>(
        _ sql: String, _ arguments: StatementArguments, _ decode: (Row) throws -> Value
    ) throws -> Value? {
        let rows = try Row.fetchCursor(cachedStatement(sql: sql), arguments: arguments)
        // The row is the statement's: a cursor let go of resets the statement, and the row reads nulls.
        return try withExtendedLifetime(rows) { try rows.next().map(decode) }
    }

    /// Every row of a cached statement made into a value by `decode` in place, as ``first(_:_:_:)``.
    func all<Value>(_ sql: String, _ arguments: StatementArguments, _ decode: (Row) throws -> Value) throws -> [Value] {
        let rows = try Row.fetchCursor(cachedStatement(sql: sql), arguments: arguments)
        var values: [Value] = []
        while let row = try rows.next() { values.append(try decode(row)) }
        return values
    }
}
