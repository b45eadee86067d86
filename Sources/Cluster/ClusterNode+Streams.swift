import Foundation
import Router
import Switchboard

/// The agent streams open on this instance, and keeping the leader told of them across leader changes.
extension ClusterNode: AgentStreamSessions {
    /// Every instance writes its streams from the store (``AgentEventHub/catchUp(agentID:)``).
    public var streamsReadTheStore: Bool { true }

    /// An agent's stream opened here: the leader signs it in (``EmbeddedRouter/signIn(_:hub:)``).
    public func streamOpened(_ signIn: StreamSignIn) async {
        await registrationLock.withLock {
            await self.reconcileLocked()
            await self.callLeader(.signIn(signIn))
            // A leader met during the call has this stream; the others open here are told after it.
            await self.reconcileLocked()
            self.registration.withLock { $0.streams[signIn.agentID, default: 0] += 1 }
        }
    }

    /// An agent's stream here closed.
    public func streamClosed(agentID: String) async {
        await registrationLock.withLock {
            await self.reconcileLocked()
            self.registration.withLock { registration in
                registration.streams[agentID, default: 0] -= 1
                if registration.streams[agentID, default: 0] <= 0 { registration.streams[agentID] = nil }
            }
            await self.callLeader(.agentDisconnected(AgentStreams(agentID: agentID, count: 1)))
            await self.reconcileLocked()
        }
    }

    /// Tells a leader that does not know them yet of every stream open here: this instance's router once after
    /// it took over, another leader once per term. Call under ``registrationLock``.
    func reconcileLocked() async {
        let (isLeader, leader) = state.withLock { ($0.isLeader, $0.leader) }
        let streams = registration.withLock { $0.streams }
        if isLeader {
            guard !registration.withLock({ $0.selfRegistered }) else { return }
            registration.withLock { $0.selfRegistered = true }
            let router = routers.current
            for (agentID, count) in streams {
                for _ in 0..<count { await router.agentConnected(agentID) }
            }
            return
        }
        guard let leader, leader.url != advertiseURL, leader.term > registration.withLock({ $0.term }) else { return }
        registration.withLock { $0.term = leader.term }
        let calls = streams.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { agentID, count in
            ClusterCall.agentConnected(AgentStreams(agentID: agentID, count: count))
        }
        // In one request (or several, at most a batch's size each).
        for start in stride(from: 0, to: calls.count, by: LeaderCallQueue.maximumBatch) {
            let part = Array(calls[start..<min(calls.count, start + LeaderCallQueue.maximumBatch)])
            if !(await post(part, to: leader.url)) {
                logger.warning("cluster: leader \(leader.url) was not told of \(part.count) agents' open streams")
            }
        }
    }
}
