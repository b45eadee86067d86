/// A provider's name as a channel's `provider` gives it in the config (`twilio`, `acs`, …).
///
/// The domain does not know which providers exist: each one's module in `Providers` declares its name, and
/// `Providers.ProviderRegistry` refuses a channel whose provider it does not serve. Metrics label by ``rawValue``.
public struct ProviderKind: RawRepresentable, Sendable, Codable, Hashable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
