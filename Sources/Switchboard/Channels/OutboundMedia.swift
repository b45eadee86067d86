import Foundation

/// The media URLs of a reply (MMS), checked before the reply is queued: media on a channel whose provider sends
/// none, more URLs than it takes, or a URL it could not fetch is refused (`400`, `field: "media"`) instead of
/// failing at the provider.
public enum OutboundMedia {
    /// Why `urls` cannot go out on channel `channelID` of `provider`, which sends at most `maxPerMessage` media URLs
    /// with one message (`0`: none); `nil` when they can.
    public static func refusal(
        of urls: [String], maxPerMessage: Int, channelID: String, provider: ProviderKind
    ) -> String? {
        if urls.isEmpty { return nil }
        if maxPerMessage <= 0 {
            return "channel \(channelID) (\(provider.rawValue)) cannot send media; send the reply as text only"
        }
        if urls.count > maxPerMessage {
            return "the reply has \(urls.count) media URLs; channel \(channelID) (\(provider.rawValue)) sends at most "
                + "\(maxPerMessage) with one message"
        }
        if let index = urls.firstIndex(where: { !isFetchable($0) }) {
            return "media[\(index)] must be an absolute http or https URL that the provider can fetch"
        }
        return nil
    }

    /// An absolute `http` or `https` URL with a host; Foundation refuses spaces and control characters, which no
    /// provider's fetcher would take either.
    public static func isFetchable(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }
}
