import Curl
import Foundation
import Providers
import Switchboard
import TestHTTPServer
import Testing

/// A Twilio call over real loopback HTTP with a fake Calls API: incoming call → `<Connect><VirtualAgent>` →
/// bot escalates → hold TwiML → `bot-escalation` with the bot's context → accept → the fake got the redirect of
/// the live call to the agent's `voiceEndpoint`. And a caller who hangs up before an accept.
@Suite("Twilio voice end to end", .timeLimit(.minutes(2)))
struct TwilioVoiceEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let sid = "AC0123456789abcdef0123456789abcdef"
    static let token = "voice-auth-token"

    static func configuration(api: String, bot: Bool) -> Configuration {
        var channel = Configuration.Channel(
            id: "twilio-main", provider: .twilio, numbers: ["+14155550199"], region: "US",
            credentials: ["accountSID": sid, "authToken": token], apiBaseURL: api)
        channel.voice = .init(
            bot: bot ? .init(connectorName: "billing-connector") : nil, holdMessage: "Please hold & relax.")
        return Configuration(
            publicURL: publicURL, adminToken: "admin-token", channels: [channel],
            agents: [
                .init(
                    id: "alice", name: "Alice", token: "alice-token", queues: ["default"],
                    voiceEndpoint: "client:alice")
            ])
    }

    func post(
        _ gateway: GatewayHarness, _ kind: String, _ parameters: [(String, String)]
    ) async throws
        -> CurlResponse
    {
        let signature = ProviderRequests.twilioSignature(
            url: "\(Self.publicURL)/webhooks/twilio-main/\(kind)", parameters: parameters, authToken: Self.token)
        return try await gateway.request(
            "POST", "/webhooks/twilio-main/\(kind)",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Twilio-Signature", value: signature),
            ],
            body: Array(ProviderRequests.form(parameters).utf8))
    }

    static let hold =
        "<Response><Say>Please hold &amp; relax.</Say><Enqueue action=\"\(publicURL)/webhooks/twilio-main/call-status\">"
        + "default</Enqueue></Response>"

    @Test("call → VirtualAgent → escalation → hold → bot-escalation with context → accept → Calls API redirect")
    func botThenAgent() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { _ in .json(#"{"sid":"CA1","status":"in-progress"}"#) }
        ) { twilio in
            try await GatewayHarness.with(Self.configuration(api: twilio.baseURL, bot: true)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let call = [("CallSid", "CA1"), ("From", "+14155550100"), ("To", "+14155550199")]

                let answer = try await post(gateway, "voice", call)
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type") == "text/xml")
                #expect(
                    answer.text
                        == "<Response><Connect action=\"\(Self.publicURL)/webhooks/twilio-main/handoff\">"
                        + "<VirtualAgent connectorName=\"billing-connector\"/></Connect></Response>")
                // With a bot, nobody is notified until it hands over.
                #expect(try await alice.drain().filter { $0.event == "notification" }.isEmpty)

                let handoff = try await post(
                    gateway, "handoff",
                    call + [
                        ("VirtualAgentStatus", "live-agent-handoff"),
                        (
                            "VirtualAgentProviderData",
                            #"{"LanguageCode":"en-US","AgentHandoffParameters":{"va_LastTopic":"billing"}}"#
                        ),
                    ])
                #expect(handoff.text == Self.hold)

                let notification = try await alice.next("notification").data
                #expect(notification["scenario"] == .string("bot-escalation"))
                #expect(notification["channel"] == .string("voice"))
                #expect(notification["context"]?["bot"]?["language"] == .string("en-US"))
                #expect(notification["context"]?["bot"]?["variables"]?["va_LastTopic"] == .string("billing"))
                #expect(notification["context"]?["reason"] == .string("live-agent-handoff"))

                try await gateway.accept(notification, token: "alice-token")
                let redirect = try #require(try await twilio.waitForRequests(count: 1).first)
                #expect(redirect.method == "POST")
                #expect(redirect.path == "/2010-04-01/Accounts/\(Self.sid)/Calls/CA1.json")
                let form = try FormParameters.decode(redirect.body, maxParameters: 10, what: "redirect")
                #expect(form.first("Twiml") == "<Response><Dial><Client>alice</Client></Dial></Response>")
                let basic = Data("\(Self.sid):\(Self.token)".utf8).base64EncodedString()
                #expect(redirect.header("Authorization") == "Basic \(basic)")

                // The caller hangs up: the holder gets conversation.closed.
                let ended = try await post(gateway, "call-status", call + [("CallStatus", "completed")])
                #expect(ended.text == "<Response/>")
                let closed = try await alice.next("conversation.closed").data
                #expect(closed["reason"] == .string("customer-hung-up"))
                await alice.close()
            }
        }
    }

    @Test("without a bot: hold TwiML and incoming-voice at once; hang-up before accept withdraws the offer")
    func hangUpBeforeAccept() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { _ in .json("{}") }) { twilio in
            try await GatewayHarness.with(Self.configuration(api: twilio.baseURL, bot: false)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let call = [("CallSid", "CA2"), ("From", "+14155550101"), ("To", "+14155550199")]
                #expect(try await post(gateway, "voice", call).text == Self.hold)
                let notification = try await alice.next("notification").data
                #expect(notification["scenario"] == .string("incoming-voice"))
                let conversationID = try #require(notification["conversationId"]?.stringValue)

                #expect(try await post(gateway, "call-status", call + [("QueueResult", "hangup")]).status == 200)
                let closed = try await alice.next("notification.closed").data
                #expect(closed["outcome"] == .string("withdrawn"))
                let conversation = try await gateway.api(
                    "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
                #expect(conversation["status"] == .string("closed"))
                #expect(conversation["context"]?["call"]?["id"] == .string("CA2"))
                #expect(twilio.requests.isEmpty)
                await alice.close()
            }
        }
    }
}
