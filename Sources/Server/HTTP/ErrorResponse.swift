import Foundation
import Hummingbird
import Logging
import NIOCore
import Switchboard

/// The §9 error body.
struct ErrorBody: Encodable {
    var error: String
    var message: String
    var field: String?
}

extension SwitchboardError {
    /// The §9 JSON body of this error.
    var jsonBody: ByteBuffer {
        (try? ContractJSON.encode(ErrorBody(error: code, message: message, field: field))) ?? ByteBuffer(string: "{}")
    }

    var response: Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: jsonBody))
    }
}

/// Refuses headers over `limits.maxHeaderBytes`/`maxHeaderCount` with `431 headers-too-large` before anything else
/// reads the request, then turns every error into the §9 JSON body: domain errors as they say, a body over the limit
/// as 413, an unknown route as 404, and anything else (the database failing) as 503 so providers retry.
///
/// One middleware rather than two: each is an async frame on the connection's task, which keeps its high-water mark
/// of frame memory for as long as the connection serves (an agent's event stream included): about 1 kB a stream.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let limits: Configuration.Limits

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            try HeaderLimits.check(request.headers, limits: limits) { HeaderLimits.subject(of: request.uri.path) }
            return try await next(request, context)
        } catch {
            return response(to: error, of: request)
        }
    }

    /// Not in ``handle(_:context:next:)``: what an async function computes goes into its frame, which the request's
    /// task keeps (as its high-water mark of frame memory) for as long as the connection serves, an event stream
    /// included; this mapping kept 2.5 kB there.
    @inline(never)
    private func response(to error: any Error, of request: Request) -> Response {
        switch error {
        case let error as SwitchboardError:
            return error.response
        case is NIOTooManyBytesError:
            return SwitchboardError(
                status: 413, code: "body-too-large",
                message: "\(request.uri.path): the body is larger than limits.maxBodyBytes", field: "maxBodyBytes"
            ).response
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return SwitchboardError.notFound("\(request.uri.path) is not a route of this gateway").response
            case .methodNotAllowed:
                return SwitchboardError.methodNotAllowed(
                    "\(request.uri.path) does not take \(request.method.rawValue)"
                ).response
            default:
                return SwitchboardError(
                    status: Int(error.status.code), code: "invalid-request", message: error.body ?? "\(error.status)"
                ).response
            }
        default:
            logger.error("\(request.method.rawValue) \(request.uri.path) failed: \(String(reflecting: error))")
            return SwitchboardError.unavailable(
                "\(request.uri.path): the gateway could not complete the request (storage unavailable); try again"
            ).response
        }
    }
}
