import Foundation
import GRDB
import Switchboard

// How domain values are read from SQLite rows; the column formats both stores share are in
// Switchboard/StoredValues.swift (times as INTEGER milliseconds, documents as JSON text).

extension Row {
    /// The column named exactly `column` (else as GRDB finds it, ignoring case), `nil` when null. GRDB's lookup by
    /// name on a fetched row lower-cases every column name it passes at every access: decoding a conversation
    /// that way made some 200 strings, and `String.lowercased` was among the SQLite writer's top samples.
    func value<Value: DatabaseValueConvertible>(_ column: String) -> Value? {
        var index = 0
        for name in columnNames {
            if name == column { return self[index] }
            index += 1
        }
        return self[column]
    }

    /// A non-null column, or a ``StorageCorruption`` naming it.
    func required<Value: DatabaseValueConvertible>(_ column: String) throws -> Value {
        guard let value: Value = value(column) else {
            throw StorageCorruption(what: "column \(column) is null or of the wrong type")
        }
        return value
    }

    func date(_ column: String) throws -> Date {
        Date(storedMilliseconds: try required(column))
    }

    func optionalDate(_ column: String) -> Date? {
        let milliseconds: Int64? = value(column)
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
    func providerError(_ prefix: String) -> ProviderErrorDetail? {
        let code: String? = value(prefix + "_code")
        let message: String? = value(prefix + "_message")
        guard let code else { return nil }
        return ProviderErrorDetail(code: code, message: message ?? "")
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
}
