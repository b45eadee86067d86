import Foundation
import Providers
import Switchboard
import TestHTTPServer
import Testing

/// ACS voice over real loopback HTTP against a fake Call Automation API that checks every request's HMAC
/// signature: `IncomingCall` → answer (callback to `call-events?code=`) → `incoming-voice` → accept →
/// `transferToParticipant` to the agent; Call Automation callbacks close, keep or route the conversation again.
@Suite("ACS voice end to end", .timeLimit(.minutes(2)))
struct AzureVoiceEndToEndTests {
    static func configuration(acsAPI: String, bot: Bool = false) -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: acsAPI)
        configuration.agents[0].voiceEndpoint = "8:acs:alice-identity"
        configuration.agents.append(
            .init(id: "bob", name: "Bob", token: "bob-token", queues: ["default"], voiceEndpoint: "+14255550999"))
        if bot {
            configuration.channels[1].voice = .init(bot: .init(target: "8:acs:billing-bot"))
            configuration.channels.append(
                .init(
                    id: "bot-main", provider: .bot, numbers: ["+18005550111"], region: "US",
                    credentials: ["secret": BotHandoffEndToEndTests.secret]))
        }
        return configuration
    }

    /// Runs `body` with the fake Call Automation API and a gateway whose ACS channel uses it.
    func withACS(
        bot: Bool = false, _ body: @escaping @Sendable (TestHTTPServer, GatewayHarness) async throws -> Void
    ) async throws {
        let port = PortBox()
        try await TestHTTPServer.withTestHTTPServer(handler: FakeCallAutomation.handler(port: { port.value })) { acs in
            port.value = acs.port
            try await GatewayHarness.with(Self.configuration(acsAPI: acs.baseURL, bot: bot)) { gateway in
                try await body(acs, gateway)
            }
        }
    }

    func body(_ request: RecordedRequest) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(request.body))
    }

    /// alice's event stream, past its first `presence`.
    func alicesStream(_ gateway: GatewayHarness) async throws -> EventReader {
        let alice = try await gateway.events(agent: "alice", token: "alice-token")
        _ = try await alice.next("presence")
        return alice
    }

    /// Posts Event Grid's `IncomingCall` number `n` (id `in-n`, context `ctx-n`) to `events`; the status.
    func postIncomingCall(_ n: Int, caller: String, to gateway: GatewayHarness) async throws -> Int {
        let call = FakeCallAutomation.incomingCall(id: "in-\(n)", caller: caller, context: "ctx-\(n)")
        return try await gateway.postACS("events", call).status
    }

    @Test("IncomingCall → answer → incoming-voice → accept → transferToParticipant; the gateway's leg then leaves")
    func answeredAndTransferredToTheAcceptingAgent() async throws {
        try await withACS { acs, gateway in
            let alice = try await alicesStream(gateway)
            let call = FakeCallAutomation.incomingCall(id: "in-77", caller: "+14255550177", context: "ctx-77")
            for _ in 0..<2 {  // Event Grid redelivers: one answer, one conversation, one notification
                #expect(try await gateway.postACS("events", call).status == 200)
            }
            let answers = try await acs.waitForRequests(count: 1)
            #expect(answers.count == 1)
            #expect(answers[0].uri == "/calling/callConnections:answer?api-version=2023-10-15")
            let answer = try body(answers[0])
            #expect(answer["incomingCallContext"] == .string("ctx-77"))
            #expect(
                answer["callbackUri"]
                    == .string(
                        "https://gateway.example.com/webhooks/acs-main/call-events?code="
                            + SMSPathEndToEndTests.gridSecret))

            let notification = try await alice.next("notification").data
            #expect(notification["scenario"] == .string("incoming-voice"))
            #expect(notification["customer"]?["phone"] == .string("+14255550177"))
            let conversationID = try #require(notification["conversationId"]?.stringValue)
            let held = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            #expect(held["context"]?["call"]?["connectionId"] == .string("conn-ctx-77"))

            try await gateway.accept(notification, token: "alice-token")
            let requests = try await acs.waitForRequests(count: 2)
            #expect(requests.count == 2)
            #expect(
                requests[1].uri
                    == "/calling/callConnections/conn-ctx-77:transferToParticipant?api-version=2023-10-15")
            #expect(
                try body(requests[1])["targetParticipant"]?["communicationUser"]?["id"]
                    == .string("8:acs:alice-identity"))
            #expect(try body(requests[1])["transferee"] == nil)  // a 1:1 call: the caller is the one moved

            // The transfer succeeded: the gateway's own leg leaves the call; the caller stays with alice.
            let accepted = FakeCallAutomation.callback(
                id: "cb-1", type: "CallTransferAccepted", connection: "conn-ctx-77")
            let left = FakeCallAutomation.callback(id: "cb-2", type: "CallDisconnected", connection: "conn-ctx-77")
            #expect(try await gateway.postACS("call-events", "[\(accepted), \(left)]").status == 200)
            let after = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            #expect(after["status"] == .string("open"))
            #expect(after["assignedAgent"] == .string("alice"))
            #expect(try await alice.drain().allSatisfy { $0.event != "conversation.closed" })
            await alice.close()
        }
    }

    @Test("CallDisconnected before accept withdraws the offer and closes; a redelivery changes nothing")
    func hangUpBeforeAccept() async throws {
        try await withACS { acs, gateway in
            let alice = try await alicesStream(gateway)
            #expect(try await postIncomingCall(78, caller: "+14255550178", to: gateway) == 200)
            let notification = try await alice.next("notification").data
            let conversationID = try #require(notification["conversationId"]?.stringValue)

            let hangUp = FakeCallAutomation.callback(id: "cb-3", type: "CallDisconnected", connection: "conn-ctx-78")
            for _ in 0..<2 {
                #expect(try await gateway.postACS("call-events", hangUp).status == 200)
            }
            let closed = try await alice.next("notification.closed").data
            #expect(closed["outcome"] == .string("withdrawn"))
            let conversation = try await gateway.api(
                "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            #expect(conversation["status"] == .string("closed"))
            #expect(acs.requests.count == 1)  // the answer only
            await alice.close()
        }
    }

    @Test("CallDisconnected after accept: the holder gets conversation.closed once")
    func hangUpAfterAccept() async throws {
        try await withACS { _, gateway in
            let alice = try await alicesStream(gateway)
            #expect(try await postIncomingCall(79, caller: "+14255550179", to: gateway) == 200)
            try await gateway.accept(try await alice.next("notification").data, token: "alice-token")

            let hangUp = FakeCallAutomation.callback(id: "cb-4", type: "CallDisconnected", connection: "conn-ctx-79")
            for _ in 0..<2 {
                #expect(try await gateway.postACS("call-events", hangUp).status == 200)
            }
            let closed = try await alice.next("conversation.closed").data
            #expect(closed["reason"] == .string("customer-hung-up"))
            #expect(try await alice.drain().allSatisfy { $0.event != "conversation.closed" })
            await alice.close()
        }
    }

    @Test("CallTransferFailed after accept: the agent lets go and the call is offered again, once")
    func transferFailedRoutesAgain() async throws {
        try await withACS { acs, gateway in
            let alice = try await alicesStream(gateway)
            #expect(try await postIncomingCall(80, caller: "+14255550180", to: gateway) == 200)
            try await gateway.accept(try await alice.next("notification").data, token: "alice-token")
            _ = try await acs.waitForRequests(count: 2)  // answer, transfer to alice
            let bob = try await gateway.events(agent: "bob", token: "bob-token")
            _ = try await bob.next("presence")

            let failed = FakeCallAutomation.callback(id: "cb-5", type: "CallTransferFailed", connection: "conn-ctx-80")
            #expect(try await gateway.postACS("call-events", failed).status == 200)
            let closed = try await alice.next("conversation.closed").data
            #expect(closed["reason"] == .string("transferred"))
            let offer = try await bob.next("notification").data
            #expect(offer["scenario"] == .string("incoming-voice"))
            let conversationID = try #require(offer["conversationId"]?.stringValue)

            try await gateway.accept(offer, token: "bob-token")
            let requests = try await acs.waitForRequests(count: 3)
            #expect(requests.count == 3)
            #expect(requests[2].path == "/calling/callConnections/conn-ctx-80:transferToParticipant")
            #expect(try body(requests[2])["targetParticipant"]?["phoneNumber"]?["value"] == .string("+14255550999"))

            // A redelivery of the failure (the same event id) does not take the call from bob.
            #expect(try await gateway.postACS("call-events", failed).status == 200)
            #expect(try await bob.drain().allSatisfy { $0.event != "conversation.closed" })
            let held = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            #expect(held["assignedAgent"] == .string("bob"))
            await alice.close()
            await bob.close()
        }
    }

    @Test("call-events checks ?code= like events: 403 naming code, nothing applied")
    func callEventsNeedTheCode() async throws {
        try await withACS { _, gateway in
            let hangUp = FakeCallAutomation.callback(id: "cb-6", type: "CallDisconnected", connection: "conn-x")
            let wrong = try await gateway.postACS("call-events", hangUp, code: "not-the-secret")
            #expect(wrong.status == 403)
            #expect(wrong.json?["field"] == .string("code"))
            #expect(wrong.json?["error"] == .string("signature-invalid"))
            let unknown = FakeCallAutomation.callback(id: "cb-7", type: "PlayCompleted", connection: "conn-x")
            #expect(try await gateway.postACS("call-events", unknown).status == 200)
        }
    }

    @Test("with a bot: answer, add the bot; its handoff (callId) notifies bot-escalation; accept transfers the call")
    func botThenAgent() async throws {
        try await withACS(bot: true) { acs, gateway in
            let alice = try await alicesStream(gateway)
            #expect(try await postIncomingCall(81, caller: "+14155550100", to: gateway) == 200)
            let requests = try await acs.waitForRequests(count: 2)
            #expect(requests[1].path == "/calling/callConnections/conn-ctx-81/participants:add")
            #expect(
                try body(requests[1])["participantToAdd"]?["communicationUser"]?["id"] == .string("8:acs:billing-bot"))
            #expect(try await alice.drain(quiet: .milliseconds(300)).allSatisfy { $0.event != "notification" })

            let handoff = BotHandoffEndToEndTests.body.replacingOccurrences(of: "call-77", with: "server-ctx-81")
            let handedOver = try await BotHandoffEndToEndTests().post(gateway, id: "msg_81", body: handoff)
            #expect(handedOver.status == 200)
            let notification = try await alice.next("notification").data
            #expect(notification["scenario"] == .string("bot-escalation"))
            let conversationID = try #require(handedOver.json?["conversationId"]?.stringValue)
            #expect(notification["conversationId"] == .string(conversationID))
            // The handoff continued the held call's conversation, so the accept has a call to transfer.
            let conversation = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            try #require(conversation["context"]?["call"]?["connectionId"] == .string("conn-ctx-81"))
            #expect(conversation["context"]?["bot"]?["lastTopic"] == .string("billing"))
            try await gateway.accept(notification, token: "alice-token")
            let all = try await acs.waitForRequests(count: 3)
            #expect(all[2].path == "/calling/callConnections/conn-ctx-81:transferToParticipant")
            // The bot is in the call too, so the caller is named as the participant to move.
            #expect(try body(all[2])["transferee"]?["phoneNumber"]?["value"] == .string("+14155550100"))
            await alice.close()
        }
    }
}
