/// Collects the header fields of the final response from the lines curl hands to `CURLOPT_HEADERFUNCTION`.
///
/// curl reports the header block of every response it reads on a transfer: interim `1xx` responses such as
/// `100 Continue` come first. Each status line starts a new block, so only the last block survives.
struct ResponseHeaderAccumulator {
    private(set) var headers: [(name: String, value: String)] = []

    /// Takes one raw header line, with or without its trailing CRLF.
    mutating func consume(line: UnsafeRawBufferPointer) {
        var bytes = line[...]
        while let last = bytes.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") {
            bytes = bytes.dropLast()
        }
        guard let first = bytes.first else { return }  // the blank line that ends a block

        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            // Obsolete line folding (RFC 9112 §5.2): the line continues the previous field's value.
            guard !headers.isEmpty else { return }
            let continuation = Self.trimmed(bytes)
            if !continuation.isEmpty { headers[headers.count - 1].value += " " + continuation }
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }  // not a field; ignore
        let name = Self.trimmed(bytes[..<colon])
        guard !name.isEmpty else { return }
        headers.append((name: name, value: Self.trimmed(bytes[(colon + 1)...])))
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }),
            let end = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }
}
