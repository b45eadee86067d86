import Foundation
import Hummingbird
import Providers
import Switchboard

/// `POST /internal/cluster/…`: followers' calls to the leader's router (``ClusterCall``), authenticated with
/// `Authorization: Bearer <cluster.secret>`. An instance that does not lead answers 503 so the caller reads
/// the leader again.
struct ClusterRoutes {
    let node: ClusterNode

    func register(on router: Router<BasicRequestContext>) {
        route("notify", on: router) { .notify(try JSONDecoder().decode(NotificationRequest.self, from: $0)) }
        route("message-arrived", on: router) {
            .messageArrived(try JSONDecoder().decode(MessageInConversation.self, from: $0))
        }
        route("message-status-changed", on: router) {
            .messageStatusChanged(try JSONDecoder().decode(MessageInConversation.self, from: $0))
        }
        route("close-conversation", on: router) {
            .closeConversation(try JSONDecoder().decode(ConversationClosing.self, from: $0))
        }
        route("agent-connected", on: router) {
            .agentConnected(try JSONDecoder().decode(AgentStreams.self, from: $0))
        }
        route("agent-disconnected", on: router) {
            .agentDisconnected(try JSONDecoder().decode(AgentStreams.self, from: $0))
        }
        route("sign-in", on: router) { .signIn(try JSONDecoder().decode(StreamSignIn.self, from: $0)) }
    }

    private func route(
        _ name: String, on router: Router<BasicRequestContext>,
        decode: @escaping @Sendable (Data) throws -> ClusterCall
    ) {
        router.post("/internal/cluster/\(name)") { request, _ in
            try authenticate(request)
            let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
            let call: ClusterCall
            do {
                call = try decode(Data(buffer: body))
            } catch {
                throw SwitchboardError.invalidRequest("/internal/cluster/\(name): the body is not a cluster call")
            }
            guard let leading = node.leadingRouter else {
                throw SwitchboardError.unavailable("this instance does not lead the cluster; read the leader again")
            }
            await node.perform(call, on: leading)
            return Response(status: .noContent)
        }
    }

    private func authenticate(_ request: Request) throws {
        let expected = "Bearer \(node.secret)"
        guard let given = request.headers[.authorization], !node.secret.isEmpty, constantTimeEquals(given, expected)
        else {
            throw SwitchboardError.unauthorized("/internal/cluster needs the cluster secret")
        }
    }
}
