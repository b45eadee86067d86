/// A complete HTTP response, whatever its status: `4xx` and `5xx` are responses, not errors.
public struct CurlResponse: Sendable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// The final response's header fields in received order; folded continuation lines are joined to their field.
    public var headers: [(name: String, value: String)]
    /// The response body, exactly as received (no content decoding is requested or applied).
    public var body: [UInt8]

    /// Creates a response (for tests and fakes; ``CurlClient`` builds its own).
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
