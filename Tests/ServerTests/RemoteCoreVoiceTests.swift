import Curl
import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// A held Twilio call in remote mode (CONTRACT.md §11): the core hears of it, puts it through to one of its own
/// agents with `POST /v1/conversations/{id}/connect`, and hears of the hang-up.
@Suite("Remote core: voice", .timeLimit(.minutes(2)))
struct RemoteCoreVoiceTests {
    @Test func theCoreConnectsAHeldCallAndHearsOfTheHangUp() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { _ in .json(#"{"sid":"CA7","status":"in-progress"}"#) }
        ) { twilio in
            try await FakeCore.with { core, server in
                var configuration = TwilioVoiceEndToEndTests.configuration(api: twilio.baseURL, bot: false)
                configuration.router = .init(
                    mode: .remote, url: server.url("/events"), secret: FakeCore.secret, token: FakeCore.token)
                try await GatewayHarness.with(configuration) { gateway in
                    let call = [("CallSid", "CA7"), ("From", "+14155550107"), ("To", "+14155550199")]
                    let held = try await TwilioVoiceEndToEndTests().post(gateway, "voice", call)
                    #expect(held.text == TwilioVoiceEndToEndTests.hold)
                    let request = try #require(
                        try await core.waitUntil("the call's notification request") { !$0.isEmpty }.first)
                    #expect(request.type == "notification.request")
                    #expect(request.json["scenario"] == .string("incoming-voice"))
                    #expect(request.json["channel"] == .string("voice"))
                    #expect(request.json["context"]?["call"]?["id"] == .string("CA7"))

                    let answer = try await gateway.api(
                        "POST", "/v1/conversations/\(request.conversationID)/connect", token: FakeCore.token,
                        json: #"{"endpoint":"sip:bob@core.example.com"}"#, expect: 202)
                    #expect(answer["conversationId"] == .string(request.conversationID))
                    let redirect = try #require(try await twilio.waitForRequests(count: 1).first)
                    #expect(redirect.path == "/2010-04-01/Accounts/\(TwilioVoiceEndToEndTests.sid)/Calls/CA7.json")
                    let form = try FormParameters.decode(redirect.body, maxParameters: 10, what: "redirect")
                    #expect(
                        form.first("Twiml") == "<Response><Dial><Sip>sip:bob@core.example.com</Sip></Dial></Response>")

                    let ended = try await TwilioVoiceEndToEndTests().post(
                        gateway, "call-status", call + [("CallStatus", "completed")])
                    #expect(ended.status == 200)
                    let events = try await core.waitUntil("conversation.closed") {
                        $0.contains { $0.type == "conversation.closed" }
                    }
                    #expect(events.last?.json["reason"] == .string("customer-hung-up"))
                    let again = try await gateway.request(
                        "POST", "/v1/conversations/\(request.conversationID)/connect", token: "admin-token",
                        json: #"{"endpoint":"client:bob"}"#)
                    #expect(again.status == 409)
                    #expect(core.problems.isEmpty, "protocol problems: \(core.problems)")
                }
            }
        }
    }

    @Test func theCoreConnectsAHeldACSCallWithTransferToParticipant() async throws {
        let port = PortBox()
        try await TestHTTPServer.withTestHTTPServer(handler: FakeCallAutomation.handler(port: { port.value })) { acs in
            port.value = acs.port
            try await FakeCore.with { core, server in
                var configuration = AzureVoiceEndToEndTests.configuration(acsAPI: acs.baseURL)
                configuration.router = .init(
                    mode: .remote, url: server.url("/events"), secret: FakeCore.secret, token: FakeCore.token)
                try await GatewayHarness.with(configuration) { gateway in
                    let call = FakeCallAutomation.incomingCall(id: "in-95", caller: "+14255550195", context: "ctx-95")
                    #expect(try await gateway.postACS("events", call).status == 200)
                    let request = try #require(
                        try await core.waitUntil("the call's notification request") { !$0.isEmpty }.first)
                    #expect(request.json["context"]?["call"]?["connectionId"] == .string("conn-ctx-95"))

                    _ = try await gateway.api(
                        "POST", "/v1/conversations/\(request.conversationID)/connect", token: FakeCore.token,
                        json: #"{"endpoint":"+14255550999"}"#, expect: 202)
                    let requests = try await acs.waitForRequests(count: 2)
                    #expect(requests[1].path == "/calling/callConnections/conn-ctx-95:transferToParticipant")
                    let body = try JSONDecoder().decode(JSONValue.self, from: Data(requests[1].body))
                    #expect(body["targetParticipant"]?["phoneNumber"]?["value"] == .string("+14255550999"))

                    let hangUp = FakeCallAutomation.callback(
                        id: "cb-95", type: "CallDisconnected", connection: "conn-ctx-95")
                    #expect(try await gateway.postACS("call-events", hangUp).status == 200)
                    let events = try await core.waitUntil("conversation.closed") {
                        $0.contains { $0.type == "conversation.closed" }
                    }
                    #expect(events.last?.json["reason"] == .string("customer-hung-up"))
                    #expect(core.problems.isEmpty, "protocol problems: \(core.problems)")
                }
            }
        }
    }
}
