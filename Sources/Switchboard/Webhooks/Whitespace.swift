import Foundation

extension StringProtocol {
    /// The text without leading and trailing whitespace: the same result as `trimmingCharacters(in: .whitespaces)`
    /// (Unicode's space separators and tab), without Foundation when the text is ASCII, where that set is space and
    /// tab alone. Provider headers and form fields are ASCII, and Foundation's trim (through `NSString`) cost a
    /// Twilio webhook more than reading its `NumMedia` did.
    public func trimmingWhitespaces() -> String {
        let bytes = Substring(self).utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return trimmingCharacters(in: .whitespaces) }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }),
            let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
