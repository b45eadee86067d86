/// Decoded `application/x-www-form-urlencoded` parameters in the order they arrived.
///
/// Keeps duplicate names and empty values: form-signing providers sign every received pair, so dropping or
/// merging any of them would break their signatures. The API reads its query strings with it too: a `+` is a
/// space and `%2B` a plus, as every HTTP client and browser form encodes them.
public struct FormParameters: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var pairs: [Pair]

    public init(_ pairs: [Pair] = []) {
        self.pairs = pairs
    }

    /// The first value of `name`, or `nil` when the parameter is absent.
    public func first(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name` in arrival order.
    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public var isEmpty: Bool { pairs.isEmpty }

    /// Decodes a form body or a raw query string.
    ///
    /// `+` becomes a space and `%XX` a byte; names and values must then be valid UTF-8. Empty segments
    /// (`a=1&&b=2`) are skipped; a segment without `=` is a name with an empty value.
    ///
    /// - Parameters:
    ///   - bytes: the body or query, still encoded.
    ///   - maxParameters: `limits.maxFormParams`; one parameter more answers `400 limit-exceeded`.
    ///   - what: who is decoding, for error messages (`"twilio-main inbound webhook"`).
    public static func decode(
        _ bytes: some Collection<UInt8>, maxParameters: Int, what: String
    ) throws(SwitchboardError) -> FormParameters {
        try decode(Array(bytes), maxParameters: maxParameters, what: what)
    }

    /// ``decode(_:maxParameters:what:)`` for bytes already in an array (a body): one pass over them, without
    /// copying a segment unless it holds `+` or `%`. (Every form webhook goes through here: the generic version,
    /// called across modules, read each byte through the protocol and was a tenth of a webhook's CPU time.)
    public static func decode(
        _ bytes: [UInt8], maxParameters: Int, what: String
    ) throws(SwitchboardError) -> FormParameters {
        let result: Result<[Pair], SwitchboardError> = bytes.withUnsafeBufferPointer { buffer in
            var pairs: [Pair] = []
            var start = 0
            while start < buffer.count {
                var end = start
                var equals = -1
                while end < buffer.count, buffer[end] != UInt8(ascii: "&") {
                    if equals < 0, buffer[end] == UInt8(ascii: "=") { equals = end }
                    end += 1
                }
                defer { start = end + 1 }
                guard end > start else { continue }  // an empty segment
                if pairs.count >= maxParameters {
                    return .failure(
                        .limitExceeded("\(what): more than \(maxParameters) form parameters", limit: "maxFormParams"))
                }
                let nameEnd = equals < 0 ? end : equals
                let valueStart = equals < 0 ? end : equals + 1
                let name: String
                switch decodeComponent(UnsafeBufferPointer(rebasing: buffer[start..<nameEnd])) {
                case .decoded(let text): name = text
                case .notUTF8:
                    return .failure(
                        .invalidRequest("\(what): the name of form parameter #\(pairs.count + 1) is not valid UTF-8"))
                case .badEscape:
                    return .failure(
                        .invalidRequest("\(what): form parameter #\(pairs.count + 1) has a malformed percent escape"))
                }
                switch decodeComponent(UnsafeBufferPointer(rebasing: buffer[valueStart..<end])) {
                case .decoded(let value): pairs.append(Pair(name: name, value: value))
                case .notUTF8:
                    return .failure(.invalidRequest("\(what): form parameter \(name) is not valid UTF-8", field: name))
                case .badEscape:
                    return .failure(.invalidRequest("\(what): form parameter \(name) has a malformed percent escape"))
                }
            }
            return .success(pairs)
        }
        return FormParameters(try result.get())
    }

    private enum Component {
        case decoded(String)
        case notUTF8
        case badEscape
    }

    /// Percent-decodes one name or value.
    private static func decodeComponent(_ bytes: UnsafeBufferPointer<UInt8>) -> Component {
        guard bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(utf8Validating: bytes).map(Component.decoded) ?? .notUTF8
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
                i += 1
            case UInt8(ascii: "%"):
                guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else {
                    return .badEscape
                }
                out.append(high << 4 | low)
                i += 3
            default:
                out.append(byte)
                i += 1
            }
        }
        return out.withUnsafeBufferPointer { String(utf8Validating: $0) }.map(Component.decoded) ?? .notUTF8
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Encodes pairs as `application/x-www-form-urlencoded` (space as `+`, everything but unreserved
    /// characters percent-encoded), for outbound requests and fixture signing.
    public func encoded() -> String {
        pairs.map { Self.encodeComponent($0.name) + "=" + Self.encodeComponent($0.value) }.joined(separator: "&")
    }

    /// Percent-encodes one form component.
    public static func encodeComponent(_ string: String) -> String {
        // Bytes first and one String at the end: appending to a String byte by byte cost a tenth of a reply's send.
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 16)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
