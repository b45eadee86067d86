/// The pieces of an absolute `http(s)` URL that signatures depend on, split without normalising anything
/// (signatures cover the URL exactly as written, so `Foundation.URL`'s re-encoding must not touch it).
struct URLParts: Equatable {
    /// Lower-cased scheme (`https`).
    var scheme: String
    /// The host as written, IPv6 literals with their brackets.
    var host: String
    /// The port when the URL names one.
    var port: Int?
    /// Everything from the first `/`, `?` or `#` after the authority (may be empty).
    var rest: String

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        rest = String(afterScheme[authorityEnd...])
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[...close])
            let tail = authority[authority.index(after: close)...]
            if tail.isEmpty {
                port = nil
            } else {
                guard tail.hasPrefix(":"), let p = Int(tail.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = String(authority)
            port = nil
        }
        if host.isEmpty { return nil }
    }

    var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// `host[:port]`, the port only when it is not the scheme's default (what an HTTP client sends as `Host`).
    var authorityWithoutDefaultPort: String {
        if let port, port != defaultPort { return "\(host):\(port)" }
        return host
    }

    /// The path and query as sent on the wire (`/sms?api-version=…`); `/` when the URL has no path.
    var pathAndQuery: String {
        var value = rest
        if let hash = value.firstIndex(of: "#") { value = String(value[..<hash]) }
        if value.isEmpty || value.hasPrefix("?") { value = "/" + value }
        return value
    }

    /// The URL rebuilt with `port` (none when `nil`); the rest is kept verbatim.
    func url(withPort port: Int?) -> String {
        "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")\(rest)"
    }
}
