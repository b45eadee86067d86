import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// ACS voice over real loopback HTTP: `IncomingCall` → `incoming-voice` alert → accept → the (fake) Call
/// Automation API received a signed redirect of the call to the agent's ACS identity.
@Suite("ACS voice end to end", .timeLimit(.minutes(2)))
struct AzureVoiceEndToEndTests {
    @Test func incomingCallIsRedirectedToTheAcceptingAgent() async throws {
        let port = PortBox()
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeACS(port: { port.value })) {
            acs in
            port.value = acs.port
            var configuration = SMSPathEndToEndTests.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: acs.baseURL)
            configuration.agents[0].voiceEndpoint = "8:acs:alice-identity"
            try await GatewayHarness.with(configuration) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let event = """
                    {"id": "call-event-1", "type": "Microsoft.Communication.IncomingCall", "specversion": "1.0",
                     "source": "/acs", "time": "2026-11-25T07:41:00Z",
                     "data": {"to": {"kind": "phoneNumber", "rawId": "4:+18005550100", "phoneNumber": {"value": "+18005550100"}},
                              "from": {"kind": "phoneNumber", "rawId": "4:+14255550177", "phoneNumber": {"value": "+14255550177"}},
                              "serverCallId": "server-call-77", "incomingCallContext": "opaque-context-77"}}
                    """
                for _ in 0..<2 {  // Event Grid redelivers: one conversation, one notification
                    let answered = try await gateway.request(
                        "POST", "/webhooks/acs-main/events?code=\(SMSPathEndToEndTests.gridSecret)",
                        headers: [(name: "Content-Type", value: "application/cloudevents+json; charset=utf-8")],
                        body: Array(event.utf8))
                    #expect(answered.status == 200)
                }
                let notification = try await alice.next("notification").data
                #expect(notification["scenario"] == .string("incoming-voice"))
                #expect(notification["channel"] == .string("voice"))
                #expect(notification["customer"]?["phone"] == .string("+14255550177"))
                let accepted = try await gateway.accept(notification, token: "alice-token")
                #expect(accepted["outcome"] == .string("accepted"))

                let redirects = try await acs.waitForRequests(count: 1)
                #expect(redirects.count == 1)
                #expect(redirects[0].uri == "/calling/callConnections:redirect?api-version=2023-10-15")
                let problem = ProviderRequests.acsSignatureProblem(
                    method: "POST", pathAndQuery: redirects[0].uri, host: "127.0.0.1:\(acs.port)",
                    headers: { redirects[0].header($0) }, body: redirects[0].body,
                    accessKey: SMSPathEndToEndTests.acsKey)
                #expect(problem == nil)
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(redirects[0].body))
                #expect(body["incomingCallContext"] == .string("opaque-context-77"))
                #expect(body["target"]?["communicationUser"]?["id"] == .string("8:acs:alice-identity"))
                let extra = try await alice.drain()
                #expect(!extra.contains { $0.event == "notification" })
                await alice.close()
            }
        }
    }

    @Test func withABotTheCallGoesToTheBotFirst() async throws {
        let port = PortBox()
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeACS(port: { port.value })) {
            acs in
            port.value = acs.port
            var configuration = SMSPathEndToEndTests.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: acs.baseURL)
            configuration.channels[1].voice = .init(bot: .init(target: "8:acs:billing-bot"))
            try await GatewayHarness.with(configuration) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let event = """
                    [{"id": "call-event-2", "eventType": "Microsoft.Communication.IncomingCall",
                      "data": {"from": {"kind": "phoneNumber", "rawId": "4:+14255550178", "phoneNumber": {"value": "+14255550178"}},
                               "serverCallId": "server-call-78", "incomingCallContext": "opaque-context-78"}}]
                    """
                let answered = try await gateway.request(
                    "POST", "/webhooks/acs-main/events?code=\(SMSPathEndToEndTests.gridSecret)",
                    headers: [(name: "Content-Type", value: "application/json")], body: Array(event.utf8))
                #expect(answered.status == 200)
                let redirects = try await acs.waitForRequests(count: 1)
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(redirects[0].body))
                #expect(body["incomingCallContext"] == .string("opaque-context-78"))
                #expect(body["target"]?["communicationUser"]?["id"] == .string("8:acs:billing-bot"))
                // Nobody is notified until the bot hands over.
                let quiet = try await alice.drain(quiet: .milliseconds(300))
                #expect(!quiet.contains { $0.event == "notification" })
                await alice.close()
            }
        }
    }
}
