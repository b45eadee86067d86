/// What ``TestHTTPServer`` answers to one request.
public struct TestHTTPResponse: Sendable {
    /// The status code, for example 200 or 503.
    public var status: Int
    /// Header fields to send. `Content-Length` is added when absent; the server manages `Connection` itself.
    public var headers: [(name: String, value: String)]
    /// The body bytes (not sent for `HEAD` requests).
    public var body: [UInt8]
    /// How long to wait before sending the response: for timeout and cancellation tests. The wait is abandoned
    /// when the client closes the connection or the server shuts down.
    public var delay: Duration

    /// Creates a response with a byte body.
    public init(
        status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [], delay: Duration = .zero
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// Creates a response with a UTF-8 text body; adds `Content-Type: text/plain; charset=utf-8` unless `headers`
    /// has a `Content-Type`.
    public init(
        status: Int = 200, headers: [(name: String, value: String)] = [], text: String, delay: Duration = .zero
    ) {
        var headers = headers
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headers.append((name: "Content-Type", value: "text/plain; charset=utf-8"))
        }
        self.init(status: status, headers: headers, body: Array(text.utf8), delay: delay)
    }

    /// Creates a response with a JSON body given as text; adds `Content-Type: application/json`.
    public static func json(_ json: String, status: Int = 200, delay: Duration = .zero) -> TestHTTPResponse {
        TestHTTPResponse(
            status: status, headers: [(name: "Content-Type", value: "application/json")], body: Array(json.utf8),
            delay: delay)
    }
}
