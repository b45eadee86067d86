/// The longest message a provider's send API takes: a reply over it is refused before it is queued, instead of
/// failing at the provider.
public enum MessageLengthLimit: Sendable, Equatable {
    /// At most this many characters, counted as UTF-16 units (an emoji counts two, as providers count it).
    case characters(Int)
    /// At most this many SMS segments (``SMSSegments``).
    case segments(Int)

    /// Why `text` is too long for a provider named `provider`, or `nil` when it fits.
    public func refusal(of text: String, provider: ProviderKind) -> String? {
        switch self {
        case .characters(let limit):
            let count = text.utf16.count
            return count > limit
                ? "the reply is \(count) characters; \(provider.rawValue) sends at most \(limit)" : nil
        case .segments(let limit):
            let count = SMSSegments.count(text)
            return count > limit
                ? "the reply takes \(count) SMS segments; \(provider.rawValue) sends at most \(limit)" : nil
        }
    }
}
