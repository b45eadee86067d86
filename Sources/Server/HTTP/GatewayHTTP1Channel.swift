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

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1.1 server with the gateway's connections (``GatewayHTTP1Channel``).
    static func gatewayHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in
            GatewayHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
