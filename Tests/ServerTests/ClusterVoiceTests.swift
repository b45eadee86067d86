import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// ACS voice on two instances sharing PostgreSQL: a Call Automation callback that reaches a follower acts on the
/// leader's router.
@Suite("Cluster: ACS voice", .timeLimit(.minutes(3)))
struct ClusterVoiceTests {
    @Test func aTransferFailureOnTheFollowerTakesTheCallBackOnTheLeader() async throws {
        let port = PortBox()
        try await TestHTTPServer.withTestHTTPServer(handler: FakeCallAutomation.handler(port: { port.value })) { acs in
            port.value = acs.port
            let configuration = AzureVoiceEndToEndTests.configuration(acsAPI: acs.baseURL)
            try await TestCluster.with(configuration) { cluster in
                let leader = try await cluster.leader()
                let follower = cluster.follower(of: leader)
                let alice = try await cluster.instances[leader].events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let call = FakeCallAutomation.incomingCall(id: "in-90", caller: "+14255550190", context: "ctx-90")
                #expect(try await cluster.instances[follower].postACS("events", call).status == 200)
                try await cluster.instances[leader].accept(
                    try await alice.next("notification").data, token: "alice-token")
                _ = try await acs.waitForRequests(count: 2)  // answer, transfer to alice

                let failed = FakeCallAutomation.callback(
                    id: "cb-90", type: "CallTransferFailed", connection: "conn-ctx-90")
                #expect(try await cluster.instances[follower].postACS("call-events", failed).status == 200)
                let closed = try await alice.next("conversation.closed").data
                #expect(closed["reason"] == .string("transferred"))
                await alice.close()
            }
        }
    }
}
