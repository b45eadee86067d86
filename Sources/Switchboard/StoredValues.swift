import Foundation

// How both stores (SQLite in `Storage`, PostgreSQL in `PostgresStorage`) write domain values to columns: times as
// whole milliseconds since 1970 (compact, indexable, ordered), small documents as JSON text with sorted keys, so
// the two stores give back equal values and the conformance suite can compare them.

extension Date {
    /// Milliseconds since 1970, rounded: the precision every stored time has.
    public var storedMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// This time as the store gives it back (rounded to the millisecond).
    public var storedPrecision: Date {
        Date(storedMilliseconds: storedMilliseconds)
    }

    public init(storedMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(storedMilliseconds) / 1000)
    }
}

/// JSON text for the columns that hold small documents (attributes, media, candidate ids).
public enum StoredJSON {
    public static func encode<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        // Sorted keys keep the text stable, so equal values are stored byte-for-byte equal.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StorageCorruption(what: "column \(column) holds JSON that does not decode: \(error)")
        }
    }

    public static func encodeMedia(_ media: [MediaAttachment]) throws -> String {
        media.isEmpty ? "[]" : try encode(media)
    }

    /// A stored `media` column; `[]` (most messages) without a JSON decoder.
    public static func decodeMedia(from text: String, column: String) throws -> [MediaAttachment] {
        text == "[]" ? [] : try decode([MediaAttachment].self, from: text, column: column)
    }

    /// The URLs of a stored `media` column, in order (what the outbox sends).
    public static func mediaURLs(from text: String, column: String) throws -> [String] {
        try decodeMedia(from: text, column: column).map(\.url)
    }

    public static func encodeIDs(_ ids: [String]) throws -> String {
        ids.isEmpty ? "[]" : try encode(ids)
    }

    /// Stored ids; `[]` (a conversation without other candidate contacts) without a JSON decoder, which cost a
    /// few microseconds at every inbound message of a returning customer.
    public static func decodeIDs(from text: String, column: String) throws -> [String] {
        text == "[]" ? [] : try decode([String].self, from: text, column: column)
    }
}

/// A stored value that the current code cannot read back (an unknown enum value, broken JSON, a column of another
/// type). Means the database was written by another version or by hand; it is not a transient failure.
public struct StorageCorruption: Error, CustomStringConvertible {
    public var what: String
    public init(what: String) { self.what = what }
    public var description: String { "database holds data this version cannot read: \(what)" }
}
