// API sketch committed so that other modules can be written against it; the Curl work replaces the
// implementation (keeping these public names and shapes).
import CCurlShim

/// One HTTP request for ``CurlClient``.
public struct CurlRequest: Sendable {
    public var method: String
    /// Absolute `http` or `https` URL.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whole-request timeout in seconds (always set; default 30).
    public var timeout: Double
    /// Connect timeout in seconds (default 10).
    public var connectTimeout: Double

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
}

/// A complete HTTP response.
public struct CurlResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

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

/// A transfer that did not produce a response. Carries curl's code and message.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case connectFailed
        case timedOut
        case cancelled
        case invalidRequest
        case other
    }
    public var kind: Kind
    /// `CURLcode` (0 when the error did not come from curl).
    public var code: Int32
    public var message: String
    public var description: String { "curl error \(code): \(message)" }

    public init(kind: Kind, code: Int32, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }
}

/// Async HTTP client over one curl multi handle (placeholder until the Curl module lands).
public final class CurlClient: Sendable {
    public struct Configuration: Sendable {
        public var caBundlePath: String?
        public var maxConnectionsPerHost: Int
        public init(caBundlePath: String? = nil, maxConnectionsPerHost: Int = 64) {
            self.caBundlePath = caBundlePath
            self.maxConnectionsPerHost = maxConnectionsPerHost
        }
    }

    /// Runs `body` with a client that lives exactly as long as the call.
    public static func withCurlClient<Result: Sendable>(
        configuration: Configuration = .init(),
        _ body: (CurlClient) async throws -> Result
    ) async throws -> Result {
        try await body(CurlClient())
    }

    init() {}

    public func execute(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        throw CurlError(kind: .other, code: 0, message: "not implemented yet")
    }
}
