import Cluster
import Foundation
import HTTPTypes
import Hummingbird
import Switchboard

/// On a follower, sends every `/v1` request except the agent's SSE stream to the leader as it came (method,
/// path, query, headers with `Authorization`, body) and answers with the leader's answer as it is. No leader
/// known, or none answering: `503 unavailable` with `Retry-After: 1`. A request already forwarded once is
/// never forwarded again (a deposed leader answers it 503).
struct LeaderForwarding<Context: RequestContext>: RouterMiddleware {
    let node: ClusterNode
    let maxBodyBytes: Int

    /// Connection-level fields that describe one hop, not the request.
    static var hopByHop: Set<String> {
        ["host", "content-length", "connection", "transfer-encoding", "keep-alive", "expect", "upgrade", "te"]
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard Self.isForwarded(request), !node.isLeader else { return try await next(request, context) }
        let path = request.uri.path
        if request.headers[HTTPField.Name(ClusterNode.forwardedHeader)!] != nil {
            return Self.unavailable("\(path): forwarded to an instance that does not lead the cluster")
        }
        guard let leader = await node.leaderURL() else {
            return Self.unavailable("\(path): no cluster leader is known yet")
        }
        let body = try await request.body.collect(upTo: maxBodyBytes)
        var headers: [(name: String, value: String)] = []
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            headers.append((name: field.name.rawName, value: field.value))
        }
        let forwarded = ClusterNode.ForwardedRequest(
            method: request.method.rawValue, target: request.uri.description, headers: headers,
            body: Array(buffer: body))
        switch await node.forward(forwarded, to: leader) {
        case .answered(let status, let headers, let body):
            return Self.response(status: status, headers: headers, body: body)
        case .leaderUnreachable:
            return Self.unavailable("\(path): the cluster leader cannot be reached; try again")
        }
    }

    /// Every `/v1` route but `GET /v1/agents/{id}/events`, which each instance serves itself, and
    /// `POST /v1/admin/reload`: each instance reloads its own file (CONTRACT.md §12).
    static func isForwarded(_ request: Request) -> Bool {
        let path = request.uri.path
        guard path == "/v1" || path.hasPrefix("/v1/"), path != "/v1/admin/reload" else { return false }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let isEventStream = segments.count == 5 && segments[2] == "agents" && segments[4] == "events"
        return !(isEventStream && request.method == .get)
    }

    static func unavailable(_ message: String) -> Response {
        var response = SwitchboardError.unavailable(message).response
        response.headers[.retryAfter] = "1"
        return response
    }

    static func response(status: Int, headers answer: [(name: String, value: String)], body: [UInt8]) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer {
            guard let field = HTTPField.Name(name), !hopByHop.contains(field.canonicalName) else { continue }
            headers.append(HTTPField(name: field, value: value))
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
