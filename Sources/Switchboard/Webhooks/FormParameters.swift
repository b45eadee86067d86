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
        var pairs: [Pair] = []
        for segment in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if pairs.count >= maxParameters {
                throw .limitExceeded(
                    "\(what): more than \(maxParameters) form parameters", limit: "maxFormParams")
            }
            let index = pairs.count
            let nameBytes: ArraySlice<UInt8>
            let valueBytes: ArraySlice<UInt8>
            let segmentArray = Array(segment)
            if let equals = segmentArray.firstIndex(of: UInt8(ascii: "=")) {
                nameBytes = segmentArray[..<equals]
                valueBytes = segmentArray[(equals + 1)...]
            } else {
                nameBytes = segmentArray[...]
                valueBytes = []
            }
            guard let name = try decodeComponent(nameBytes, what: what, label: "form parameter #\(index + 1)")
            else {
                throw .invalidRequest("\(what): the name of form parameter #\(index + 1) is not valid UTF-8")
            }
            guard let value = try decodeComponent(valueBytes, what: what, label: "form parameter \(name)") else {
                throw .invalidRequest("\(what): form parameter \(name) is not valid UTF-8", field: name)
            }
            pairs.append(Pair(name: name, value: value))
        }
        return FormParameters(pairs)
    }

    /// Percent-decodes one name or value; `nil` when the bytes are not UTF-8.
    private static func decodeComponent(
        _ bytes: ArraySlice<UInt8>, what: String, label: String
    ) throws(SwitchboardError) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
                i += 1
            case UInt8(ascii: "%"):
                guard i + 2 < bytes.endIndex,
                    let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2])
                else {
                    throw .invalidRequest("\(what): \(label) has a malformed percent escape")
                }
                out.append(high << 4 | low)
                i += 3
            default:
                out.append(byte)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
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
