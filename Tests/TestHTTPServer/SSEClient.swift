import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One Server-Sent Event as a client reads it.
public struct ServerSentEvent: Sendable, Equatable {
    public var event: String
    public var id: String?
    public var data: String
    /// When the client read the blank line that ends it (on the connection's event loop, before any task that
    /// consumes ``SSEClient/events`` runs): latency measurements use it. Not part of equality.
    public var receivedAt: ContinuousClock.Instant

    public static func == (a: Self, b: Self) -> Bool { a.event == b.event && a.id == b.id && a.data == b.data }
}

/// A minimal Server-Sent Events client over a real loopback connection, for end-to-end tests: it acts as an
/// agent's browser (`EventSource`), reading `event:`/`id:`/`data:` lines as they arrive.
public final class SSEClient: Sendable {
    /// The events in the order they arrived; finishes when the server closes the stream.
    public let events: AsyncStream<ServerSentEvent>
    /// The status code of the response, once its head arrived.
    public var status: Int? { statusBox.value }
    /// How many comment lines (`: …`, the server's heartbeats) arrived so far.
    public var comments: Int { statusBox.comments }
    /// The value of the response's header `name` (the first, any case), once its head arrived.
    public func header(_ name: String) -> String? { statusBox.headers.first(name: name) }
    private let statusBox: StatusBox
    private let channel: any Channel

    private init(events: AsyncStream<ServerSentEvent>, channel: any Channel, status: StatusBox) {
        self.events = events
        self.channel = channel
        self.statusBox = status
    }

    /// Connects and sends `GET path` with the given headers.
    public static func connect(
        host: String = "127.0.0.1", port: Int, path: String, headers: [(String, String)] = []
    ) async throws -> SSEClient {
        let (stream, continuation) = AsyncStream<ServerSentEvent>.makeStream()
        let status = StatusBox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap {
                    channel.pipeline.addHandler(SSEHandler(continuation: continuation, status: status))
                }
            }
            .connect(host: host, port: port).get()
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Accept", value: "text/event-stream")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        return SSEClient(events: stream, channel: channel, status: status)
    }

    /// Closes the connection, as a browser tab being closed.
    public func close() async {
        try? await channel.close().get()
    }
}

private final class SSEHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    let continuation: AsyncStream<ServerSentEvent>.Continuation
    let status: StatusBox
    private var buffer: [UInt8] = []
    private var event = "message"
    private var id: String?
    private var data: [String] = []

    init(continuation: AsyncStream<ServerSentEvent>.Continuation, status: StatusBox) {
        self.continuation = continuation
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data part: NIOAny) {
        switch unwrapInboundIn(part) {
        case .head(let head):
            status.headers = head.headers
            status.value = Int(head.status.code)
        case .body(var body):
            buffer += body.readBytes(length: body.readableBytes) ?? []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                if line.hasSuffix("\r") { line.removeLast() }
                handle(line: line)
            }
        case .end:
            continuation.finish()
        }
    }

    private func handle(line: String) {
        if line.isEmpty {
            if !data.isEmpty {
                continuation.yield(
                    ServerSentEvent(
                        event: event, id: id, data: data.joined(separator: "\n"), receivedAt: ContinuousClock.now))
            }
            event = "message"
            id = nil
            data = []
            return
        }
        if line.hasPrefix(":") {
            status.comments += 1
            return
        }
        let (field, value): (Substring, Substring)
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            var rest = line[line.index(after: colon)...]
            if rest.hasPrefix(" ") { rest = rest.dropFirst() }
            value = rest
        } else {
            (field, value) = (Substring(line), "")
        }
        switch field {
        case "event": event = String(value)
        case "id": id = String(value)
        case "data": data.append(String(value))
        default: break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}

/// The response's status code, written on the event loop and read by the test.
private final class StatusBox: Sendable {
    private let state = NIOLockedValueBox<Int?>(nil)
    private let commentCount = NIOLockedValueBox(0)
    private let headerFields = NIOLockedValueBox(HTTPHeaders())
    var headers: HTTPHeaders {
        get { headerFields.withLockedValue { $0 } }
        set { headerFields.withLockedValue { $0 = newValue } }
    }
    var value: Int? {
        get { state.withLockedValue { $0 } }
        set { state.withLockedValue { $0 = newValue } }
    }
    var comments: Int {
        get { commentCount.withLockedValue { $0 } }
        set { commentCount.withLockedValue { $0 = newValue } }
    }
}
