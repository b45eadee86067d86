import Foundation

/// JSON as the contract writes it: RFC 3339 UTC timestamps with milliseconds, keys sorted for stable output.
/// Shared by the HTTP bodies (`Server`), the agent events' stored data and the remote core's requests.
package enum ContractJSON {
    package static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    package static func timestamp(_ date: Date) -> String { date.formatted(timestampStyle) }

    package static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(timestamp(date))
        }
        return encoder
    }

    package static func string(_ value: some Encodable) throws -> String {
        String(decoding: try makeEncoder().encode(value), as: UTF8.self)
    }

    /// Decodes a request body; a body that is not the expected JSON is a 400 naming what was wrong.
    package static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw SwitchboardError.missingField(key.stringValue, in: what)
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw SwitchboardError.invalidRequest("\(what): \(field) has the wrong type", field: field)
        } catch {
            throw SwitchboardError.invalidRequest("\(what): the body is not valid JSON")
        }
    }
}
