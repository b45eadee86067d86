import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal, fast stand-in for Twilio's Messages API (`fake-provider PORTFILE`, a child process of the bench):
/// every request is answered `201` with a canned message resource, keeping the connection open. `GET /stats`
/// answers how many connections and requests it has seen, so the bench can show connection reuse.
enum FakeProvider {
    static let body = ByteBuffer(
        string: #"{"sid":"SM00000000000000000000000000000000","status":"queued","error_code":null}"#)

    static func serve(portPath: String) async throws {
        let counters = NIOLockedValueBox((connections: 0, requests: 0))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                counters.withLockedValue { $0.connections += 1 }
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(counters: counters))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        try "\(channel.localAddress?.port ?? 0)\n".write(toFile: portPath, atomically: true, encoding: .utf8)
        try await channel.closeFuture.get()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let counters: NIOLockedValueBox<(connections: Int, requests: Int)>
        private var uri = ""
        private var keepAlive = true

        init(counters: NIOLockedValueBox<(connections: Int, requests: Int)>) { self.counters = counters }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                uri = head.uri
                keepAlive = head.isKeepAlive
            case .body:
                break
            case .end:
                let body: ByteBuffer
                let status: HTTPResponseStatus
                if uri == "/stats" {
                    let (connections, requests) = counters.withLockedValue { ($0.connections, $0.requests) }
                    body = ByteBuffer(string: "connections=\(connections) requests=\(requests)")
                    status = .ok
                } else {
                    counters.withLockedValue { $0.requests += 1 }
                    body = FakeProvider.body
                    status = .created
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(body.readableBytes)")
                if !keepAlive { headers.add(name: "Connection", value: "close") }
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                let closing = keepAlive ? nil : NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    closing?.value.close(promise: nil)
                }
            }
        }
    }
}
