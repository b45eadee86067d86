/// An async HTTP client over one curl multi handle, driven by one dedicated thread.
///
/// Use it through ``withCurlClient(configuration:isolation:_:)``, which starts the thread and, when the body returns
/// or throws, cancels whatever is still outstanding and stops it:
///
/// ```swift
/// let response = try await CurlClient.withCurlClient { client in
///     try await client.execute(CurlRequest(method: "GET", url: "https://api.example.com/health"))
/// }
/// ```
///
/// Any number of tasks may call ``execute(_:)`` concurrently. Sequential requests to the same host reuse a kept-alive
/// connection from the multi handle's connection cache; at most ``Configuration/maxConnectionsPerHost`` connections
/// are opened to one host, further requests wait for a free one.
public final class CurlClient: Sendable {
    /// Settings that apply to every request of one client.
    public struct Configuration: Sendable {
        /// A PEM file of trusted CA certificates for `https`, or `nil` for libcurl's built-in default
        /// (on Debian, `/etc/ssl/certs/ca-certificates.crt`).
        public var caBundlePath: String?
        /// The most connections open to one host at a time (`CURLMOPT_MAX_HOST_CONNECTIONS`); at least 1.
        public var maxConnectionsPerHost: Int

        /// Creates a configuration.
        public init(caBundlePath: String? = nil, maxConnectionsPerHost: Int = 64) {
            self.caBundlePath = caBundlePath
            self.maxConnectionsPerHost = maxConnectionsPerHost
        }
    }

    /// The configuration this client was started with.
    public let configuration: Configuration
    private let loop: TransferLoop
    private let handles: EasyHandlePool

    /// Runs `body` with a client that lives exactly as long as the call.
    ///
    /// When `body` returns or throws, requests still outstanding fail with ``CurlError/Kind-swift.enum/cancelled``
    /// and the client's thread stops before this function returns.
    ///
    /// - Throws: ``CurlError`` when curl or its thread cannot be started, or whatever `body` throws.
    public static func withCurlClient<Return>(
        configuration: Configuration = .init(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (CurlClient) async throws -> Return
    ) async throws -> Return {
        let client = try CurlClient(configuration: configuration)
        let result: Return
        do {
            result = try await body(client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        return result
    }

    init(configuration: Configuration) throws(CurlError) {
        self.configuration = configuration
        loop = try TransferLoop(configuration: configuration)
        // Enough idle handles for every request the host limit lets run at once to one host.
        handles = EasyHandlePool(capacity: max(8, configuration.maxConnectionsPerHost))
    }

    /// Stops the client: outstanding requests fail as cancelled, later ones are refused. Idempotent.
    func shutdown() async {
        await loop.shutdown()
    }

    /// Sends `request` and returns the complete response, whatever its status code.
    ///
    /// Cancelling the calling task aborts the transfer promptly (its connection is closed) and throws
    /// ``CurlError/Kind-swift.enum/cancelled``.
    ///
    /// - Throws: ``CurlError`` when no response arrived: see ``CurlError/Kind-swift.enum`` for the cases.
    public func execute(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        let transfer = try Transfer(request: request, configuration: configuration, pool: handles)
        let loop = self.loop
        let error = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        if let error { throw error }
        return transfer.response()
    }
}
