import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The gateway's HTTP/1.1 connections: Hummingbird's `HTTP1Channel`, reading into a smaller first buffer.
///
/// Each connection keeps its last receive buffer for the next read. NIO's default first buffer is 2,048 bytes, which
/// an agent's event stream (a request of about 200 bytes, then nothing more to read for hours) holds for its whole
/// life: 2 kB of the ~25 kB an open stream cost. The buffer still grows as reads fill it (a webhook's request of a
/// few kB takes one more read on a connection's first request), up to NIO's usual 64 kB.
struct GatewayHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536)

    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.syncOptions?.setOption(.recvAllocator, value: Self.receiveBuffers)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// Opens an agent's event stream before Hummingbird's application (its router and the middleware) sees the
/// request, or returns `nil` to leave the request to the router.
///
/// The connection's task keeps every slab of async-frame memory it ever needed until the connection closes, and an
/// event stream keeps its connection for hours. Through the application, its router and the middleware, then the
/// response's body closure, the stream's wait sat about eight frames deeper than here: ≈ 3.3 kB of the ≈ 22.6 kB an
/// open stream cost on 2026-12-07 (1.4 kB the application's part, 1.9 kB the body closure's). The stream's head
/// carries the headers the application adds to every response (`Date`, `Server`).
typealias DirectResponder = @Sendable (Request, any Channel) -> EventStream?

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1.1 server with the gateway's connections (``GatewayHTTP1Channel``); `direct` answers
    /// what it can before the application does (``DirectResponder``).
    static func gatewayHTTP1(
        configuration: HTTP1Channel.Configuration, serverName: String, direct: DirectResponder?
    ) -> HTTPServerBuilder {
        .init { responder in
            let serve: HTTPChannelHandler.Responder
            if let direct {
                serve = { request, writer, channel in
                    guard let stream = direct(request, channel) else {
                        return try await responder(request, writer, channel)
                    }
                    var body: any ResponseBodyWriter = try await writer.writeHead(stream.head(serverName: serverName))
                    try await stream.serve(&body)
                }
            } else {
                serve = responder
            }
            return GatewayHTTP1Channel(http1: HTTP1Channel(responder: serve, configuration: configuration))
        }
    }
}
