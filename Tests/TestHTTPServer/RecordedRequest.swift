/// One request exactly as ``TestHTTPServer`` received it.
public struct RecordedRequest: Sendable {
    /// The method as sent, for example `POST`.
    public var method: String
    /// The request target as sent: path and query, for example `/2010-04-01/Accounts/AC1/Messages.json?x=1`.
    public var uri: String
    /// Header fields in received order, names as the client spelled them.
    public var headers: [(name: String, value: String)]
    /// The body bytes, complete (chunked bodies are de-chunked).
    public var body: [UInt8]
    /// Which TCP connection carried the request: 1 for the first connection the server accepted, 2 for the next, …
    /// Equal numbers on two requests mean the client reused a connection.
    public var connectionNumber: Int

    /// Creates a recorded request (the server builds these; tests may build them for handler unit tests).
    public init(
        method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8], connectionNumber: Int
    ) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.connectionNumber = connectionNumber
    }

    /// The path part of ``uri``, without the query.
    public var path: String {
        String(uri.prefix { $0 != "?" })
    }

    /// The query part of ``uri`` without the `?`, or `nil` when there is none.
    public var query: String? {
        guard let mark = uri.firstIndex(of: "?") else { return nil }
        return String(uri[uri.index(after: mark)...])
    }

    /// The body decoded as UTF-8 (invalid bytes become U+FFFD).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of the headers with this name, compared case-insensitively, in received order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}
