import NIOCore
import NIOHTTP1

/// Per-connection NIO handler: assembles each request, records it, asks the test's handler closure for the
/// response, and writes it (after the response's delay), keeping the connection alive when the client asks to.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let record: ServerRecord
    private let respond: TestHTTPServer.Handler
    private var connectionNumber = 0
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// A delayed response waiting to be written; cancelled when the connection goes away.
    private var delayedResponse: Scheduled<Void>?

    init(record: ServerRecord, respond: @escaping TestHTTPServer.Handler) {
        self.record = record
        self.respond = respond
    }

    func channelActive(context: ChannelHandlerContext) {
        connectionNumber = record.connectionOpened(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        delayedResponse?.cancel()
        delayedResponse = nil
        record.connectionClosed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            body?.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { (name: $0.name, value: $0.value) }, body: bytes,
                connectionNumber: connectionNumber)
            record.record(request)

            let respond = self.respond
            let promise = context.eventLoop.makePromise(of: TestHTTPResponse.self)
            promise.completeWithTask { await respond(request) }
            let keepAlive = head.isKeepAlive
            let isHead = head.method == .HEAD
            let version = head.version
            promise.futureResult.assumeIsolated().whenSuccess { response in
                guard response.delay > .zero else {
                    self.write(response, version: version, keepAlive: keepAlive, omitBody: isHead, context: context)
                    return
                }
                self.delayedResponse = context.eventLoop.assumeIsolated().scheduleTask(
                    in: TimeAmount(response.delay)
                ) {
                    self.delayedResponse = nil
                    self.write(response, version: version, keepAlive: keepAlive, omitBody: isHead, context: context)
                }
            }
        }
    }

    private func write(
        _ response: TestHTTPResponse, version: HTTPVersion, keepAlive: Bool, omitBody: Bool,
        context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers)
        if !headers.contains(name: "content-length") {
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        headers.remove(name: "connection")
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(
            version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !omitBody && !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that hangs up mid-request (cancellation tests do) is normal here.
        context.close(promise: nil)
    }
}
