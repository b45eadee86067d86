import Curl
import Foundation
import Router
import Switchboard

/// What `Server`'s cluster routes and its forwarding middleware ask of the node, in plain values: `Server`
/// knows HTTP, the node knows the leader and how to reach it.
extension ClusterNode {
    /// The names of the internal calls, `POST /internal/cluster/{name}`.
    package static let callNames = [
        "notify", "message-arrived", "message-status-changed", "close-conversation", "call-connect-failed",
        "agent-connected",
        "agent-disconnected", "sign-in",
    ]

    /// The call a body of `POST /internal/cluster/{name}` carries.
    package static func call(named name: String, body: Data) throws -> ClusterCall {
        let decoder = JSONDecoder()
        guard let call = try ClusterCall.named(name, body: { try decoder.decode($0, from: body) }) else {
            throw SwitchboardError.notFound("/internal/cluster/\(name) is not a cluster call")
        }
        return call
    }

    /// The calls a body of `POST /internal/cluster/calls` carries, in order (``ClusterCallBatch``).
    package static func calls(body: Data) throws -> [ClusterCall] {
        try JSONDecoder().decode(ClusterCallBatch.self, from: body).calls
    }

    /// Whether an `Authorization` value carries the cluster secret (compared in constant time).
    package func authorizes(_ authorization: String?) -> Bool {
        guard let authorization, !secret.isEmpty else { return false }
        return constantTimeEquals(authorization, "Bearer \(secret)")
    }

    /// Runs a follower's call on this instance's router; `unavailable` when it does not lead, so the caller
    /// reads the leader again.
    package func handle(_ call: ClusterCall) async throws(SwitchboardError) {
        guard let leading = leadingRouter else {
            throw SwitchboardError.unavailable("this instance does not lead the cluster; read the leader again")
        }
        await perform(call, on: leading)
    }

    /// Runs a follower's batch of calls in order (``handle(_:)`` for each).
    package func handle(_ calls: [ClusterCall]) async throws(SwitchboardError) {
        guard let leading = leadingRouter else {
            throw SwitchboardError.unavailable("this instance does not lead the cluster; read the leader again")
        }
        for call in calls { await perform(call, on: leading) }
    }

    /// A request as it came, to send on to the leader.
    package struct ForwardedRequest: Sendable {
        package var method: String
        /// Path and query, as the client sent them.
        package var target: String
        package var headers: [(name: String, value: String)]
        package var body: [UInt8]

        package init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
            self.method = method
            self.target = target
            self.headers = headers
            self.body = body
        }
    }

    /// What came of forwarding a request to the leader.
    package enum ForwardingOutcome: Sendable {
        /// The leader's answer, to pass on as it is.
        case answered(status: Int, headers: [(name: String, value: String)], body: [UInt8])
        case leaderUnreachable
    }

    /// Sends the request to the leader at `leader` (``leaderURL()``), marked with ``forwardedHeader``; once more
    /// to a new leader when that one is unreachable.
    package func forward(_ request: ForwardedRequest, to leader: String) async -> ForwardingOutcome {
        var url = leader
        let headers = request.headers + [(name: Self.forwardedHeader, value: advertiseURL)]
        var attempt = 0
        while true {
            attempt += 1
            let forwarded = CurlRequest(
                method: request.method, url: url + request.target, headers: headers, body: request.body,
                timeout: 30, connectTimeout: 2)
            do {
                let response = try await client.execute(forwarded)
                metrics.increment("switchboard_cluster_forwarded_requests_total", ["outcome": "answered"])
                return .answered(status: response.status, headers: response.headers, body: response.body)
            } catch {
                let path = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
                logger.warning("cluster: forwarding \(request.method) \(path) to \(url) failed: \(error)")
                guard attempt == 1, let next = await leaderURLAfterFailure(url) else {
                    metrics.increment("switchboard_cluster_forwarded_requests_total", ["outcome": "unreachable"])
                    return .leaderUnreachable
                }
                url = next
            }
        }
    }
}
