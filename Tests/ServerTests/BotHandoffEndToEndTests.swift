import Curl
import Foundation
import Providers
import Switchboard
import Testing

/// The generic bot handoff over real loopback HTTP: a Standard Webhooks signed handoff → `{"conversationId"}` →
/// `bot-escalation` notification with the bot's context → accept → the conversation shows context and transcript.
@Suite("Bot handoff end to end", .timeLimit(.minutes(2)))
struct BotHandoffEndToEndTests {
    static let secret = "whsec_" + Data("bot-handoff-e2e-secret-32-bytes!".utf8).base64EncodedString()
    static let channel = Configuration.Channel(
        id: "bot-main", provider: .bot, numbers: ["+18005550100"], region: "US", credentials: ["secret": secret])
    static let configuration = Configuration(
        publicURL: "https://gateway.example.com", adminToken: "admin-token", channels: [channel],
        agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])

    static let body = """
        {"type": "handoff", "channel": "voice", "callId": "call-77",
         "customer": {"phone": "+14155550100"}, "to": "+18005550100",
         "bot": {"id": "billing-bot", "language": "en-US", "lastTopic": "billing", "summary": "Charged twice",
                 "transcript": [{"from": "customer", "text": "I was charged twice"},
                                {"from": "bot", "text": "Let me find an agent"}],
                 "variables": {"va_LastTopic": "billing"}},
         "reason": "customer asked for an agent", "priority": 1}
        """

    func post(
        _ gateway: GatewayHarness, id: String, body: String = body, signedAt: Date = Date()
    ) async throws -> CurlResponse {
        let signed = BotFixtureSigner(channel: Self.channel).sign(
            method: "POST", kind: "handoff", query: "",
            headers: [(name: "Content-Type", value: "application/json"), (name: "webhook-id", value: id)],
            body: Array(body.utf8), now: signedAt)
        return try await gateway.request(
            "POST", "/webhooks/bot-main/handoff", headers: signed.headers, body: Array(body.utf8))
    }

    @Test("signed handoff → conversationId → bot-escalation with context → accept → conversation with transcript")
    func handoffPath() async throws {
        try await GatewayHarness.with(Self.configuration) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")

            let first = try await post(gateway, id: "msg_1")
            #expect(first.status == 200, "\(first.text)")
            let conversationID = try #require(first.json?["conversationId"]?.stringValue)

            let notification = try await alice.next("notification").data
            #expect(notification["scenario"] == .string("bot-escalation"))
            #expect(notification["channel"] == .string("voice"))
            #expect(notification["conversationId"] == .string(conversationID))
            #expect(notification["context"]?["bot"]?["lastTopic"] == .string("billing"))
            #expect(notification["context"]?["reason"] == .string("customer asked for an agent"))
            #expect(notification["context"]?["transcript"]?.arrayValue?.count == 2)

            // A redelivery, even a stale one, gets the first answer; a second handoff of the same caller
            // continues the conversation already offered: nobody is notified again.
            let again = try await post(gateway, id: "msg_1", signedAt: Date().addingTimeInterval(-3600))
            #expect(again.status == 200)
            #expect(again.json?["conversationId"]?.stringValue == conversationID)
            let second = try await post(gateway, id: "msg_2")
            #expect(second.json?["conversationId"]?.stringValue == conversationID)
            #expect(try await alice.drain().filter { $0.event == "notification" }.isEmpty)

            // A stale new handoff is refused and stores nothing.
            let stale = try await post(gateway, id: "msg_3", signedAt: Date().addingTimeInterval(-3600))
            #expect(stale.status == 403)
            #expect(stale.json?["error"]?.stringValue == "timestamp-outside-window")

            try await gateway.accept(notification, token: "alice-token")
            let conversation = try await gateway.api(
                "GET", "/v1/conversations/\(conversationID)", token: "alice-token")
            #expect(conversation["channel"] == .string("voice"))
            #expect(conversation["assignedAgent"] == .string("alice"))
            #expect(conversation["context"]?["bot"]?["variables"]?["va_LastTopic"] == .string("billing"))
            let messages = try #require(conversation["messages"]?.arrayValue)
            // msg_1 and msg_2 each carried the two-line transcript.
            #expect(messages.count == 4)
            #expect(messages.first?["author"] == .string("customer"))
            #expect(messages.first?["text"] == .string("I was charged twice"))
            #expect(messages.dropFirst().first?["author"] == .string("bot"))
            await alice.close()
        }
    }

    @Test func forgedHandoffIsRefused() async throws {
        try await GatewayHarness.with(Self.configuration) { gateway in
            var headers = [(name: "Content-Type", value: "application/json")]
            headers += [
                (name: "webhook-id", value: "msg_9"),
                (name: "webhook-timestamp", value: String(Int(Date().timeIntervalSince1970))),
                (name: "webhook-signature", value: "v1,bm90LWEtcmVhbC1zaWduYXR1cmU="),
            ]
            let response = try await gateway.request(
                "POST", "/webhooks/bot-main/handoff", headers: headers, body: Array(Self.body.utf8))
            #expect(response.status == 403)
            #expect(response.json?["error"]?.stringValue == "signature-invalid")
            let list = try await gateway.api("GET", "/v1/conversations", token: "admin-token")
            #expect(list["conversations"]?.arrayValue?.isEmpty == true)
        }
    }
}
