import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Switchboard

/// `limits.maxHeaderBytes` and `maxHeaderCount` on every request, webhooks and API alike → `431 headers-too-large`
/// (CONTRACT.md §9): checked by ``ErrorMiddleware`` before anything else reads the request.
enum HeaderLimits {
    /// Who the refusal names: a webhook's channel (`/webhooks/{channel}/…`), else "the request".
    static func subject(of path: String) -> String {
        let parts = path.split(separator: "/")
        if parts.count >= 2, parts[0] == "webhooks" { return String(parts[1]) }
        return "the request"
    }

    /// Refuses headers over the limits; `subject` (who the refusal names) is only made for a refusal: splitting the
    /// path of every request was 3% of a webhook's executor time.
    static func check(
        _ headers: HTTPFields, limits: Configuration.Limits, subject: () -> String
    ) throws(SwitchboardError) {
        if headers.count > limits.maxHeaderCount {
            throw SwitchboardError(
                status: 431, code: "headers-too-large",
                message:
                    "\(subject()): \(headers.count) headers exceed limits.maxHeaderCount (\(limits.maxHeaderCount))",
                field: "maxHeaderCount")
        }
        let bytes = headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        if bytes > limits.maxHeaderBytes {
            throw SwitchboardError(
                status: 431, code: "headers-too-large",
                message:
                    "\(subject()): \(bytes) bytes of headers exceed limits.maxHeaderBytes (\(limits.maxHeaderBytes))",
                field: "maxHeaderBytes")
        }
    }

    /// The HTTP parser's own ceiling, above the configured limits so that requests just over them still reach
    /// ``ErrorMiddleware`` and get an answer naming the limit; past it ``HeaderOverflowHandler`` answers.
    static func decoderConfiguration(_ limits: Configuration.Limits) -> HTTP1Channel.Configuration.DecoderConfiguration
    {
        .init(
            maxHeaderFieldSize: max(80 * 1024, 2 * limits.maxHeaderBytes),
            maxHeaderListSize: max(80 * 1024, 2 * limits.maxHeaderBytes),
            maxHeaderFieldCount: max(1000, 2 * limits.maxHeaderCount))
    }
}

/// Answers a request whose headers overflow the HTTP parser's ceiling with `431 headers-too-large` and the §9 JSON
/// body, then closes the connection (Hummingbird would answer such a parse error `400` with no body).
final class HeaderOverflowHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    let limits: Configuration.Limits

    init(limits: Configuration.Limits) {
        self.limits = limits
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        let body = SwitchboardError(
            status: 431, code: "headers-too-large",
            message:
                "the request's headers exceed limits.maxHeaderBytes (\(limits.maxHeaderBytes)) or "
                + "limits.maxHeaderCount (\(limits.maxHeaderCount))",
            field: "maxHeaderBytes"
        ).jsonBody
        var head = HTTPResponse(status: .init(code: 431, reasonPhrase: "Request Header Fields Too Large"))
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}
