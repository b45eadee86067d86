/// One HTTP request for ``CurlClient``.
///
/// The client sends exactly what is described here: the method verbatim, the given headers, and exactly the bytes of
/// ``body`` (with a matching `Content-Length`). It adds only the headers HTTP needs (`Host`, `Content-Length`, and
/// curl's `Accept: */*`); it suppresses curl's automatic `Expect: 100-continue` and, when no `Content-Type` is given,
/// curl's default `application/x-www-form-urlencoded`. Redirects are never followed: a `3xx` comes back as a response.
public struct CurlRequest: Sendable {
    /// The HTTP method, sent verbatim (for example `GET`, `POST`, `PUT`, `PATCH`, `DELETE`).
    public var method: String
    /// Absolute `http` or `https` URL. Other schemes are refused with ``CurlError/Kind-swift.enum/invalidRequest``.
    public var url: String
    /// Header fields in the order they are sent. Names and values must not contain CR or LF.
    public var headers: [(name: String, value: String)]
    /// The request body, sent byte for byte. `POST`, `PUT` and `PATCH` always send a `Content-Length`, even when empty.
    public var body: [UInt8]
    /// Whole-request timeout in seconds (always set; default 30). Must be positive and finite.
    public var timeout: Double
    /// Connect timeout in seconds (default 10). Must be positive and finite.
    public var connectTimeout: Double

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, sent verbatim.
    ///   - url: An absolute `http` or `https` URL.
    ///   - headers: Header fields, in sending order.
    ///   - body: The exact bytes to send.
    ///   - timeout: Seconds the whole transfer may take, from start to the last byte of the response.
    ///   - connectTimeout: Seconds connecting (TCP and TLS) may take.
    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Double = 30, connectTimeout: Double = 10
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

extension CurlRequest {
    /// `scheme://host[:port]` of ``url``, without credentials, path or query: safe to put in an error message.
    var origin: String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "(no scheme)" }
        let afterScheme = url[schemeEnd.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        return String(url[..<schemeEnd.upperBound]) + String(hostAndPort)
    }
}
