import Curl
import Foundation
import Logging
import Router
import Switchboard

/// Calls to the leader's router: local while this instance leads, else over `/internal/cluster/…`.
extension ClusterNode {
    /// Runs `call` on the local router when leading, else sends it to the leader with the follower's next request
    /// (``LeaderCallQueue``). False when it reached no leader: logged, not fatal.
    @discardableResult
    func callLeader(_ call: ClusterCall) async -> Bool {
        if let router = leadingRouter {
            await perform(call, on: router)
            return true
        }
        return await leaderCalls.send(call) { calls in await self.sendToLeader(calls) }
    }

    /// Sends `calls` to the leader (once more after reading the leader again when that fails), or runs them here
    /// when this instance leads by then. False when they reached no leader.
    func sendToLeader(_ calls: [ClusterCall]) async -> Bool {
        let taken = await deliverToLeader(calls)
        metrics.increment(
            "switchboard_cluster_leader_calls_total", ["outcome": taken ? "taken" : "dropped"], by: Double(calls.count))
        return taken
    }

    private func deliverToLeader(_ calls: [ClusterCall]) async -> Bool {
        let what = calls.count == 1 ? calls[0].path : "\(calls.count) calls"
        if await runHereWhenLeading(calls) { return true }
        guard let url = await leaderURL() else {
            logger.warning("cluster: no leader known for \(what); will be redone by the next leader")
            return false
        }
        if await post(calls, to: url) { return true }
        if await runHereWhenLeading(calls) { return true }
        if let next = await leaderURLAfterFailure(url), await post(calls, to: next) { return true }
        logger.warning("cluster: the leader did not take \(what); will be redone by the next leader")
        return false
    }

    private func runHereWhenLeading(_ calls: [ClusterCall]) async -> Bool {
        guard let router = leadingRouter else { return false }
        for call in calls { await perform(call, on: router) }
        return true
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

    /// One call alone goes to its own route; several to `/internal/cluster/calls`, or one by one to a leader
    /// that answers 404 there (an older version, during a rolling upgrade).
    func post(_ calls: [ClusterCall], to url: String) async -> Bool {
        await Self.post(calls, logger: logger) { path, body in await self.post(path: path, body: body, to: url) }
    }

    /// ``post(_:to:)`` with the request made by `send` (a path and a body in, the leader's answer out).
    static func post(
        _ calls: [ClusterCall], logger: Logger, send: (String, [UInt8]) async -> PostOutcome
    ) async -> Bool {
        do {
            if calls.count == 1 { return await send(calls[0].path, try calls[0].body()) == .taken }
            switch await send("/internal/cluster/calls", Array(try JSONEncoder().encode(ClusterCallBatch(calls)))) {
            case .taken: return true
            case .unknownRoute:
                for call in calls where await send(call.path, try call.body()) != .taken { return false }
                return true
            case .refused: return false
            }
        } catch {
            logger.warning("cluster: \(calls.count) calls to the leader could not be encoded: \(error)")
            return false
        }
    }

    /// How the leader answered one request.
    enum PostOutcome: Equatable {
        case taken
        case unknownRoute
        case refused
    }

    private func post(path: String, body: [UInt8], to url: String) async -> PostOutcome {
        metrics.increment("switchboard_cluster_leader_requests_total", [:])
        do {
            let request = CurlRequest(
                method: "POST", url: url + path,
                headers: [
                    (name: "Authorization", value: "Bearer \(secret)"),
                    (name: "Content-Type", value: "application/json"),
                ], body: body, timeout: 10, connectTimeout: 2)
            let response = try await client.execute(request)
            if response.status == 404 { return .unknownRoute }
            guard (200..<300).contains(response.status) else {
                logger.warning("cluster: leader \(url) answered \(response.status) to \(path)")
                return .refused
            }
            return .taken
        } catch {
            logger.warning("cluster: calling leader \(url) for \(path) failed: \(error)")
            return .refused
        }
    }
}
