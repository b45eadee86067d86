/// The media type of a `Content-Type` header without its parameters, lower-cased:
/// `"Application/JSON; charset=utf-8"` → `"application/json"`.
func mediaType(of contentType: String?) -> String? {
    guard let contentType else { return nil }
    let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    // Every webhook asks: ASCII (the usual case) is trimmed of its only whitespace, space and tab, without
    // Foundation; anything else goes through CharacterSet as before.
    let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    let trimmed =
        essence.utf8.allSatisfy { $0 < 0x80 }
        ? String(decoding: essence.utf8.drop(while: isBlank).reversed().drop(while: isBlank).reversed(), as: UTF8.self)
            .lowercased()
        : essence.trimmingCharacters(in: .whitespaces).lowercased()
    return trimmed.isEmpty ? nil : trimmed
}
