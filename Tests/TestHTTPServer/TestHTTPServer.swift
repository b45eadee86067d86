import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server on the loopback interface for tests: it records every request and answers through a
/// closure.
///
/// It binds `127.0.0.1` on a free port, keeps connections alive (so a client's connection reuse is observable
/// through ``connectionCount`` and ``RecordedRequest/connectionNumber``), and can delay answers for timeout and
/// cancellation tests. Fake provider APIs in end-to-end tests are built from it:
///
/// ```swift
/// try await TestHTTPServer.withTestHTTPServer { request in
///     request.path == "/health" ? TestHTTPResponse(text: "ok") : TestHTTPResponse(status: 404)
/// } _: { server in
///     // call server.url("/health") with the client under test, then inspect server.requests
/// }
/// ```
public final class TestHTTPServer: Sendable {
    /// Produces the response to one request. Runs as its own task; may suspend.
    public typealias Handler = @Sendable (RecordedRequest) async -> TestHTTPResponse

    /// The TCP port the server listens on.
    public let port: Int
    private let channel: any Channel
    private let record: ServerRecord

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// ``baseURL`` followed by `pathAndQuery` (which should start with `/`).
    public func url(_ pathAndQuery: String) -> String { baseURL + pathAndQuery }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { record.requests }

    /// How many TCP connections the server has accepted so far.
    public var connectionCount: Int { record.acceptedConnections }

    private init(port: Int, channel: any Channel, record: ServerRecord) {
        self.port = port
        self.channel = channel
        self.record = record
    }

    /// Starts a server that answers every request with `handler` (by default: `200` with an empty body).
    /// Call ``shutdown()`` when done, or use ``withTestHTTPServer(handler:isolation:_:)``.
    public static func start(
        handler: @escaping Handler = { _ in TestHTTPResponse() }
    ) async throws -> TestHTTPServer {
        let record = ServerRecord()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(record: record, respond: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw TestHTTPServerError(message: "the bound server channel has no local port")
        }
        return TestHTTPServer(port: port, channel: channel, record: record)
    }

    /// Stops listening and closes every open connection; pending delayed responses are dropped. Idempotent.
    public func shutdown() async throws {
        let connections = record.shutDown()
        for connection in connections {
            try? await connection.close()
        }
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
            // A second shutdown.
        }
    }

    /// Runs `body` with a started server and shuts it down afterwards, whether `body` returns or throws.
    public static func withTestHTTPServer<Return>(
        handler: @escaping Handler = { _ in TestHTTPResponse() },
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TestHTTPServer) async throws -> Return
    ) async throws -> Return {
        let server = try await start(handler: handler)
        let result: Return
        do {
            result = try await body(server)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
        return result
    }

    /// Waits until at least `count` requests have arrived and returns all requests so far. Throws
    /// `CancellationError` when the calling task is cancelled; bound it with a test time limit.
    public func waitForRequests(count: Int) async throws -> [RecordedRequest] {
        try await record.waitForRequests(count: count)
    }
}

/// The server could not start.
public struct TestHTTPServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { "TestHTTPServer: \(message)" }
}
