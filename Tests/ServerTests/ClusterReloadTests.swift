import Foundation
import Switchboard
import Testing

@Suite("Reload in a cluster: each instance its own file, the router the leader's (CONTRACT.md §12)")
struct ClusterReloadTests {
    @Test func eachInstanceReloadsItselfAndTheLeadersRouterFollows() async throws {
        let configuration = Configuration(
            publicURL: "https://gateway.example.com", adminToken: "admin-token",
            agents: [.init(id: "alice", token: "alice-token")])
        let file = ReloadableConfiguration(configuration)
        try await TestCluster.with(configuration, reloadSource: file.source) { cluster in
            let leader = try await cluster.leader()
            let follower = 1 - leader
            file.set { $0.agents.append(.init(id: "carol", token: "carol-token")) }
            // Not forwarded: the follower answers for itself, then the leader for itself, each with its own change.
            for index in [follower, leader] {
                let answer = try await cluster.instances[index].api(
                    "POST", "/v1/admin/reload", token: "admin-token")
                #expect(answer["changes"] == .array([.string("agents: added carol")]), "instance \(index)")
            }
            // The leader's router knows carol; asked through either instance (the follower forwards).
            for instance in cluster.instances {
                let carol = try await instance.api("GET", "/v1/agents/carol", token: "carol-token")
                #expect(carol["id"] == .string("carol"))
            }
        }
    }
}
