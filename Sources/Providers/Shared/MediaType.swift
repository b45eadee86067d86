/// The media type of a `Content-Type` header without its parameters, lower-cased:
/// `"Application/JSON; charset=utf-8"` → `"application/json"`.
func mediaType(of contentType: String?) -> String? {
    guard let contentType else { return nil }
    let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let trimmed = essence.trimmingCharacters(in: .whitespaces).lowercased()
    return trimmed.isEmpty ? nil : trimmed
}
