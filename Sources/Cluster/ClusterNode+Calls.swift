import Curl
import Foundation
import Router
import Switchboard

/// Calls to the leader's router: local while this instance leads, else over `/internal/cluster/…`.
extension ClusterNode {
    /// Runs `call` on the local router when leading, else POSTs it to the leader (once more after reading the
    /// leader again when that fails). False when it reached no leader: logged, not fatal.
    @discardableResult
    func callLeader(_ call: ClusterCall) async -> Bool {
        if let router = leadingRouter {
            await perform(call, on: router)
            return true
        }
        guard let url = await leaderURL() else {
            logger.warning("cluster: no leader known for \(call.path); will be redone by the next leader")
            return false
        }
        if await post(call, to: url) { return true }
        if let router = leadingRouter {
            await perform(call, on: router)
            return true
        }
        if let next = await leaderURLAfterFailure(url), await post(call, to: next) { return true }
        logger.warning("cluster: the leader did not take \(call.path); will be redone by the next leader")
        return false
    }

    /// Runs a call on this instance's router (the leader's side of `/internal/cluster/…`).
    package func perform(_ call: ClusterCall, on router: EmbeddedRouter) async {
        switch call {
        case .notify(let request): await router.notify(request)
        case .messageArrived(let body): await router.messageArrived(body.message, in: body.conversation)
        case .messageStatusChanged(let body): await router.messageStatusChanged(body.message, in: body.conversation)
        case .closeConversation(let body): await router.closeConversation(id: body.id, reason: body.reason)
        case .callConnectFailed(let body): await router.callConnectFailed(conversationID: body.id)
        case .agentConnected(let body):
            for _ in 0..<max(0, body.count) { await router.agentConnected(body.agentID) }
        case .agentDisconnected(let body):
            for _ in 0..<max(0, body.count) { await router.agentDisconnected(body.agentID) }
        case .signIn(let body): await router.signIn(body, hub: hub)
        }
    }

    func post(_ call: ClusterCall, to url: String) async -> Bool {
        do {
            let request = CurlRequest(
                method: "POST", url: url + call.path,
                headers: [
                    (name: "Authorization", value: "Bearer \(secret)"),
                    (name: "Content-Type", value: "application/json"),
                ], body: try call.body(), timeout: 10, connectTimeout: 2)
            let response = try await client.execute(request)
            guard (200..<300).contains(response.status) else {
                logger.warning("cluster: leader \(url) answered \(response.status) to \(call.path)")
                return false
            }
            return true
        } catch {
            logger.warning("cluster: calling leader \(url) for \(call.path) failed: \(error)")
            return false
        }
    }
}
