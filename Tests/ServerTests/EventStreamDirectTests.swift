import Foundation
import Switchboard
import Testing

@testable import Server

/// An agent's event stream is opened before the router (``DirectResponder``): the connection keeps its task's
/// deepest frames for as long as the stream is open, and the router's are not among them. What the route answers
/// must not change: the same headers as any response, and every refusal from the router as before.
@Suite("Event stream before the router", .timeLimit(.minutes(2)))
struct EventStreamDirectTests {
    @Test func theStreamCarriesTheHeadersOfEveryResponse() async throws {
        try await GatewayHarness.with(HTTPContractTests.configuration()) { gateway in
            let stream = try await gateway.events(agent: "alice", token: "alice-token")
            let presence = try await stream.next("presence")
            #expect(presence.data["agentId"] == .string("alice"))
            let client = stream.client
            #expect(client.status == 200)
            #expect(client.header("Content-Type") == "text/event-stream")
            #expect(client.header("Cache-Control") == "no-cache")
            #expect(client.header("X-Accel-Buffering") == "no")
            #expect(client.header("Server") == "switchboard")
            let date = try #require(client.header("Date"))
            let now = HTTPDate.rfc1123(Date())
            #expect(date.count == now.count && date.hasSuffix(" GMT"), "an IMF-fixdate, like \(now): \(date)")
            await stream.close()
        }
    }

    @Test func whatTheStreamRefusesIsAnsweredByTheRouterAsBefore() async throws {
        var configuration = HTTPContractTests.configuration()
        configuration.agents.append(.init(id: "bob", name: "Bob", token: "bob-token", queues: ["default"]))
        try await GatewayHarness.with(configuration) { gateway in
            let cases: [(path: String, token: String?, method: String, status: Int, code: String)] = [
                ("/v1/agents/alice/events", nil, "GET", 401, "unauthorized"),
                ("/v1/agents/alice/events", "not-a-token", "GET", 401, "unauthorized"),
                ("/v1/agents/nobody/events", "admin-token", "GET", 404, "not-found"),
                ("/v1/agents/alice/events", "bob-token", "GET", 403, "forbidden"),
                ("/v1/agents/alice/events", "alice-token", "POST", 405, "method-not-allowed"),
            ]
            for refused in cases {
                let response = try await gateway.request(refused.method, refused.path, token: refused.token)
                #expect(response.status == refused.status, "\(refused.method) \(refused.path): \(response.text)")
                #expect(response.text.contains("\"error\":\"\(refused.code)\""), "\(response.text)")
            }
            let tooMany = (0..<25).map { (name: "X-Filler-\($0)", value: "1") }
            let response = try await gateway.request(
                "GET", "/v1/agents/alice/events", token: "alice-token", headers: tooMany)
            #expect(response.status == 431, "\(response.text)")
        }
    }

    @Test func onlyAnEventStreamsOwnPathIsTakenBeforeTheRouter() {
        #expect(AgentRoutes.eventStreamAgent(inPath: "/v1/agents/alice/events") == "alice")
        #expect(AgentRoutes.eventStreamAgent(inPath: "/v1/agents/agent-7/events") == "agent-7")
        for other in [
            "/v1/agents//events", "/v1/agents/alice/events/", "/v1/agents/al%69ce/events", "/v2/agents/alice/events",
            "/v1/agents/alice", "/v1/agents/alice/presence", "v1/agents/alice/events", "/v1/agents/a/b/events",
        ] {
            #expect(AgentRoutes.eventStreamAgent(inPath: other) == nil, "\(other)")
        }
    }
}
