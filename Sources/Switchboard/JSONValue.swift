import Foundation

/// Any JSON value: for reading provider payloads whose shape varies (Event Grid vs CloudEvents, camelCase vs
/// PascalCase data keys), and for embedding JSON kept as text (a conversation's bot context) in Codable bodies.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // The most common kinds first (a configuration's ids and tokens, its agents' objects): each failed attempt
        // throws, which is what decoding a large document costs. The kinds are disjoint: the order changes no result.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            self = .number(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text; `nil` when there is none or it does not parse.
    public init?(text: String?) {
        guard let text, let value = try? JSONParser.parse(text.utf8) else { return nil }
        self = value
    }

    /// Checks `maxJSONDepth`, then parses. Both failures answer `400`.
    ///
    /// - Parameters:
    ///   - bytes: the raw body.
    ///   - maxDepth: `limits.maxJSONDepth`; nesting deeper than this answers `400 limit-exceeded`.
    ///   - what: who is decoding, for error messages.
    public static func parse(_ bytes: [UInt8], maxDepth: Int, what: String) throws(SwitchboardError) -> JSONValue {
        // Checked on the raw bytes first so a hostile body cannot make the parser recurse deeply.
        if jsonNestingDepth(bytes) > maxDepth {
            throw .limitExceeded("\(what): JSON nested deeper than \(maxDepth) levels", limit: "maxJSONDepth")
        }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .invalidRequest("\(what): the body is not valid JSON (\(error.reason) at byte \(error.offset))")
        }
    }

    /// The member `key` of an object, compared exactly.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The member whose name equals `key` ignoring case (ACS examples use both `messageId` and `MessageId`).
    /// An exact match wins over a case-insensitive one.
    public func member(caseInsensitive key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        if let exact = members[key] { return exact }
        let lowered = key.lowercased()
        return members.first { $0.key.lowercased() == lowered }?.value
    }

    /// A string, or a number written as providers write ids (`15555555555`, not `1.5555555555e10`).
    public var stringValue: String? {
        switch self {
        case .string(let value): value
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e18 { String(Int64(value)) } else { String(value) }
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// Whether every member of `self` (recursively, for objects) is in `other`; other values must be equal.
    public func isContained(in other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let mine), .object(let theirs)):
            return mine.allSatisfy { key, value in theirs[key].map { value.isContained(in: $0) } ?? false }
        default:
            return self == other
        }
    }
}

/// The deepest nesting of arrays and objects in a JSON text (`{}` is 1), ignoring brackets inside strings.
/// Does not validate the JSON; the parser does that afterwards.
public func jsonNestingDepth(_ bytes: [UInt8]) -> Int {
    var depth = 0
    var deepest = 0
    var inString = false
    var escaped = false
    for byte in bytes {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            continue
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            deepest = max(deepest, depth)
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        default: break
        }
    }
    return deepest
}
