import Cluster
import Foundation
import Hummingbird
import Switchboard

/// `POST /internal/cluster/…`: followers' calls to the leader's router, authenticated with
/// `Authorization: Bearer <cluster.secret>`. An instance that does not lead answers 503 so the caller reads
/// the leader again.
struct ClusterRoutes {
    let node: ClusterNode

    func register(on router: Router<ConnectionContext>) {
        for name in ClusterNode.callNames {
            router.post("/internal/cluster/\(name)") { request, _ in
                guard node.authorizes(request.headers[.authorization]) else {
                    throw SwitchboardError.unauthorized("/internal/cluster needs the cluster secret")
                }
                let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
                let call: ClusterCall
                do {
                    call = try ClusterNode.call(named: name, body: Data(buffer: body))
                } catch {
                    throw SwitchboardError.invalidRequest("/internal/cluster/\(name): the body is not a cluster call")
                }
                try await node.handle(call)
                return Response(status: .noContent)
            }
        }
        // A follower's calls in one request, run in their order (ClusterCallBatch).
        router.post("/internal/cluster/calls") { request, _ in
            guard node.authorizes(request.headers[.authorization]) else {
                throw SwitchboardError.unauthorized("/internal/cluster needs the cluster secret")
            }
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            let calls: [ClusterCall]
            do {
                calls = try ClusterNode.calls(body: Data(buffer: body))
            } catch {
                throw SwitchboardError.invalidRequest(
                    "/internal/cluster/calls: the body is not a batch of cluster calls")
            }
            try await node.handle(calls)
            return Response(status: .noContent)
        }
    }
}
