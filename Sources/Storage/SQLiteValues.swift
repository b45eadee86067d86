import Foundation
import GRDB
import Switchboard

// How domain values are written to and read from SQLite columns. Times are stored as whole milliseconds since
// 1970 (INTEGER): compact, indexable, ordered, and the same precision a PostgreSQL `timestamptz` round-trips.

extension Date {
    /// Milliseconds since 1970, rounded: the precision every stored time has.
    var storedMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// This time as the store gives it back (rounded to the millisecond).
    var storedPrecision: Date {
        Date(storedMilliseconds: storedMilliseconds)
    }

    init(storedMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(storedMilliseconds) / 1000)
    }
}

/// JSON text for the columns that hold small documents (attributes, media, candidate ids).
enum StoredJSON {
    static func encode<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        // Sorted keys keep the text stable, so equal values are stored byte-for-byte equal.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StorageCorruption(what: "column \(column) holds JSON that does not decode: \(error)")
        }
    }

    static func encodeMedia(_ media: [MediaAttachment]) throws -> String {
        media.isEmpty ? "[]" : try encode(media)
    }

    static func encodeIDs(_ ids: [String]) throws -> String {
        ids.isEmpty ? "[]" : try encode(ids)
    }
}

/// A stored value that the current code cannot read back (an unknown enum value, broken JSON). Means the
/// database was written by another version or by hand; it is not a transient failure.
struct StorageCorruption: Error, CustomStringConvertible {
    var what: String
    var description: String { "database holds data this version cannot read: \(what)" }
}

extension Row {
    /// A non-null column, or a ``StorageCorruption`` naming it.
    func required<Value: DatabaseValueConvertible>(_ column: String) throws -> Value {
        guard let value: Value = self[column] else {
            throw StorageCorruption(what: "column \(column) is null or of the wrong type")
        }
        return value
    }

    func date(_ column: String) throws -> Date {
        Date(storedMilliseconds: try required(column))
    }

    func optionalDate(_ column: String) -> Date? {
        let milliseconds: Int64? = self[column]
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
        let code: String? = self[prefix + "_code"]
        let message: String? = self[prefix + "_message"]
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
