import Hummingbird
import NIOCore
import NIOHTTPTypes

/// The request context of every route: Hummingbird's core context and the connection the request came on, so a
/// long answer (an agent's event stream) learns at once that its client went away.
struct ConnectionContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Watches one connection for its client going away: the end of its input (Hummingbird allows half-closed
/// connections, so a client closing its socket shows first as `inputClosed`) or the connection closing.
final class ConnectionWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private var promise: EventLoopPromise<Void>?

    /// Set once the handler is in a pipeline (``handlerAdded(context:)``), which happens before any request.
    private(set) var gone: EventLoopFuture<Void>?

    /// Completes when the client of `channel` closed its side of the connection or the connection closed.
    static func clientGone(of channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.flatSubmit {
            (try? channel.pipeline.syncOperations.handler(type: ConnectionWatcher.self).gone) ?? channel.closeFuture
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        self.promise = promise
        gone = promise.futureResult
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise?.succeed()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { promise?.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.succeed()
        context.fireChannelInactive()
    }
}
