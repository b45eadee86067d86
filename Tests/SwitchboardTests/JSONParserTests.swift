import DomainFakes
import Foundation
import Testing

@testable import Switchboard

/// `JSONParser` must read every UTF-8 document as `JSONDecoder` read it into a `JSONValue` before (the `Codable`
/// conformance, still there for configuration files): the same value, or a refusal where it refused.
@Suite struct JSONParserTests {
    /// What `JSONDecoder` makes of `bytes`, `nil` where it refuses.
    static func decoded(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    static let corner: [String] = [
        "{}", "[]", "\u{FEFF}{}", " [1, 2] ", "\r\n1", "1 ", "true", "false", "null", "nul", "", "  ", "\u{FEFF}",
        #"{"a":1,"a":2}"#, #"{"":1}"#, #"{"a" : [ ] , "b":{}}"#, "[1,]", #"{"a":1 , }"#, "[1 , ]", "[,]", "[1,,2]",
        "{,}", "[1 2]", #"{"a":}"#, #"{"a"}"#, "{1:2}", #"{"a":1}{"#, "[1] x", "\u{0C}1", "1\u{0B}",
        "-0", "-0.0", "0", "01", "-01", "1.", "1e", "-", "[-]", "1E2", "1E+2", "1e-2", "0.1e-2", "4.9e-324", "1e-320",
        "1e-330", "0e-400", "0.0e-999", "1e400", "2.5e308", "-1e400", "1.7976931348623157e308", "0x10", "NaN",
        "Infinity", "+1", ".5", "123456789012345678901234567890", "999999999999999", "9999999999999999",
        "-123456789012345", "12345678901234567", "9007199254740993", "[1e-400]",
        #""a""#, #""\/""#, #""\x""#, #""\u00e9""#, #""\uD83D\uDE00""#, #""\uD83Dx""#, #""\ud800""#, #""\udc00\ud800""#,
        #""\uDE00""#, #""\u00""#, #""\uZZZZ""#, #""\u0041\u00""#, #""a\u0000b""#, "\"a\tb\"", "\"\u{7F}\"",
        "\"\u{2028}\"", "\"é😀\"", #""\b\f\n\r\t\"\\""#, #""abc\"#, #""abc"#, "[\"a\"\n]",
        #"{"data":{"id":"x","n":[1,2.5,-3e2,{"deep":[null,true,false,""]}]}}"#,
    ]

    @Test func cornerCasesAsJSONDecoderReadsThem() {
        for text in Self.corner {
            let bytes = Array(text.utf8)
            #expect((try? JSONParser.parse(bytes)) == Self.decoded(bytes), "\(text.debugDescription)")
        }
    }

    @Test func bytesThatAreNotUTF8AreRefusedLikeJSONDecoderDoes() {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xC0, 0x80, 0x22], [0x22, 0xC3, 0xA9, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0xA9, 0x22],
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],
        ] {
            #expect((try? JSONParser.parse(bytes)) == Self.decoded(bytes), "\(bytes)")
        }
    }

    @Test func nestingUpTo512Levels() {
        func nested(_ depth: Int) -> [UInt8] {
            Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        }
        #expect((try? JSONParser.parse(nested(512))) != nil)
        #expect((try? JSONParser.parse(nested(513))) == nil)
        #expect(Self.decoded(nested(513)) == nil)
    }

    /// RFC 8259 §8.1: JSON between systems is UTF-8. `JSONDecoder` guessed UTF-16 from zero bytes; this does not.
    @Test func utf16IsRefused() {
        #expect((try? JSONParser.parse([0x00, 0x31])) == nil)
        #expect((try? JSONParser.parse([0x31, 0x00])) == nil)
    }

    @Test func refusalsSayWhereAndWhy() {
        #expect(throws: JSONParser.Failure(offset: 3, reason: "a comma or ] was expected")) {
            try JSONParser.parse(Array("[1 2]".utf8))
        }
        #expect(throws: JSONParser.Failure(offset: 2, reason: "\\x is not a JSON escape")) {
            try JSONParser.parse(Array(#""\x""#.utf8))
        }
        #expect(throws: JSONParser.Failure(offset: 0, reason: "1e400 is out of the range of a double")) {
            try JSONParser.parse(Array("1e400".utf8))
        }
        let error = #expect(throws: SwitchboardError.self) {
            try JSONValue.parse(Array(#"{"a":1,"b"}"#.utf8), maxDepth: 64, what: "telnyx-main events webhook")
        }
        #expect(
            error?.message
                == "telnyx-main events webhook: the body is not valid JSON (a colon was expected at byte 10)")
    }

    /// Random documents, written with random whitespace and escapes and then damaged at random: whatever
    /// `JSONDecoder` accepts this accepts with the same value, and what it refuses this refuses.
    @Test func randomDocumentsAndTheirDamageAsJSONDecoderReadsThem() {
        var random = SeededGenerator(seed: 18)
        var (accepted, refused) = (0, 0)
        for _ in 0..<3_000 {
            var bytes = Array(Self.write(Self.randomValue(&random, depth: 0), &random).utf8)
            if random.next() % 2 == 0 {
                for _ in 0..<(1 + Int(random.next() % 3)) { Self.damage(&bytes, &random) }
            }
            // JSONDecoder reads zero bytes and UTF-16/32 byte order marks as another encoding: not compared.
            if bytes.contains(0) || bytes.first == 0xFE || bytes.first == 0xFF { continue }
            let ours = try? JSONParser.parse(bytes)
            let theirs = Self.decoded(bytes)
            #expect(ours == theirs, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if ours != theirs { return }
            if ours == nil { refused += 1 } else { accepted += 1 }
        }
        // Both kinds in numbers, or the comparison proves little.
        #expect(accepted > 1_000 && refused > 500, "accepted \(accepted), refused \(refused)")
    }

    static func randomValue(_ random: inout SeededGenerator, depth: Int) -> JSONValue {
        switch random.next() % (depth < 4 ? 8 : 6) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .number(Double(Int(random.next() % 2_000_001) - 1_000_000))
        case 3:
            return .number(
                Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF) * (random.next() % 2 == 0 ? 1 : -1))
        case 4, 5:
            let alphabet = Array("aZ09 _-\"\\/é😀\u{1}\t\n\u{7F}\u{2028}\u{FFFF}")
            return .string(
                String((0..<Int(random.next() % 8)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        case 6:
            return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int(random.next() % 4) { members["k\(index)"] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }

    /// JSON text of `value` with random whitespace, `\u` escapes and number spellings.
    static func write(_ value: JSONValue, _ random: inout SeededGenerator) -> String {
        let space = ["", " ", "\n", "\t", "\r\n "][Int(random.next() % 5)]
        switch value {
        case .null: return space + "null"
        case .bool(let flag): return space + (flag ? "true" : "false")
        case .number(let number):
            if number.rounded() == number && abs(number) < 1e15 && random.next() % 2 == 0 {
                return space + String(Int64(number))
            }
            return space + "\(number)".replacingOccurrences(of: "e+", with: random.next() % 2 == 0 ? "E" : "e+")
        case .string(let text): return space + writeString(text, &random)
        case .array(let elements):
            return space + "[" + elements.map { write($0, &random) }.joined(separator: ",") + space + "]"
        case .object(let members):
            let written = members.sorted { $0.key < $1.key }.map { key, member in
                writeString(key, &random) + space + ":" + write(member, &random)
            }
            return space + "{" + written.joined(separator: ",") + "}"
        }
    }

    static func writeString(_ text: String, _ random: inout SeededGenerator) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || random.next() % 6 == 0:
                for unit in String(scalar).utf16 { out += "\\u" + String(format: "%04X", unit) }
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// One byte replaced, inserted or removed; the bytes chosen from what JSON is made of.
    static func damage(_ bytes: inout [UInt8], _ random: inout SeededGenerator) {
        let pieces = Array("{}[],:\"\\u0123456789.eE+-tfnlrs \t\n".utf8) + [0x01, 0x80, 0xC3, 0xED, 0xFF]
        let piece = pieces[Int(random.next() % UInt64(pieces.count))]
        let at = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
        switch random.next() % 3 {
        case 0 where !bytes.isEmpty: bytes[at] = piece
        case 1: bytes.insert(piece, at: at)
        default: if !bytes.isEmpty { bytes.remove(at: at) }
        }
    }
}
