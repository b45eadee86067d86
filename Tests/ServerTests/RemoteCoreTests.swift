import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// `router.mode = remote` (CONTRACT.md §11) end to end: the events a core receives for one customer's
/// conversation, signed, in order; the core acting through `/v1` with `router.token`; the embedded router's
/// routes gone.
@Suite("Remote core: the protocol", .timeLimit(.minutes(2)))
struct RemoteCoreTests {
    static func configuration(core: String, twilioAPI: String = "http://127.0.0.1:9") -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(twilioAPI: twilioAPI, acsAPI: "http://127.0.0.1:9")
        configuration.router = .init(mode: .remote, url: core, secret: FakeCore.secret, token: FakeCore.token)
        return configuration
    }

    @Test func aConversationsEventsReachTheCoreInOrderAndTheCoreAnswersThroughTheAPI() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeTwilio) { twilio in
            try await FakeCore.with { core, server in
                try await GatewayHarness.with(
                    Self.configuration(core: server.url("/events"), twilioAPI: twilio.baseURL)
                ) {
                    gateway in
                    #expect(try await gateway.postTwilioSMS(sid: "SM-core-1", text: "Hello").status == 200)
                    #expect(try await gateway.postTwilioSMS(sid: "SM-core-2", text: "Anyone there?").status == 200)
                    let first = try await core.waitUntil("the first three events") { $0.count >= 3 }
                    let conversationID = first[0].conversationID
                    #expect(first.map(\.type) == ["message.received", "notification.request", "message.received"])
                    let request = first[1].json
                    #expect(request["scenario"] == .string("incoming-sms"))
                    #expect(request["queue"] == .string("default"))
                    #expect(request["channelId"] == .string("twilio-main"))
                    #expect(request["channel"] == .string("sms"))
                    #expect(request["customer"]?["phone"] == .string("+14155550100"))
                    #expect(request["customer"]?["matchCount"] == .number(0))
                    #expect(first[0].json["message"]?["text"] == .string("Hello"))
                    #expect(first[0].json["message"]?["direction"] == .string("inbound"))
                    #expect(first[2].json["message"]?["text"] == .string("Anyone there?"))

                    // The core reads the conversation and answers with its own token.
                    let read = try await gateway.api(
                        "GET", "/v1/conversations/\(conversationID)", token: FakeCore.token)
                    #expect(read["messages"]?.arrayValue?.count == 2)
                    let messageID = try await gateway.reply(in: conversationID, text: "Hi!", token: FakeCore.token)
                    let statuses = try await core.waitUntil("the reply's sent status") { events in
                        events.contains { $0.type == "message.status" && $0.json["status"] == .string("sent") }
                    }
                    let status = try #require(statuses.first { $0.type == "message.status" })
                    #expect(status.json["messageId"] == .string(messageID))
                    let sent = try #require(twilio.requests.last)
                    #expect(FormFields.parse(sent.bodyText)?.first { $0.0 == "Body" }?.1 == "Hi!")

                    // STOP: the message, then the opt-out; the core closes the conversation.
                    #expect(try await gateway.postTwilioSMS(sid: "SM-core-3", text: "STOP").status == 200)
                    try await core.waitUntil("the opt-out") { $0.contains { $0.type == "customer.opted-out" } }
                    let closed = try await gateway.api(
                        "POST", "/v1/conversations/\(conversationID)/close", token: FakeCore.token)
                    #expect(closed["status"] == .string("closed"))
                    let all = try await core.waitUntil("conversation.closed") {
                        $0.contains { $0.type == "conversation.closed" }
                    }
                    #expect(all.last?.json["reason"] == .string("closed-by-core"))
                    let types = core.types(in: conversationID)
                    #expect(types.prefix(3) == ["message.received", "notification.request", "message.received"])
                    #expect(types.suffix(3) == ["message.received", "customer.opted-out", "conversation.closed"])
                    #expect(types.filter { $0 == "message.status" }.count >= 1)
                    #expect(core.problems.isEmpty, "protocol problems: \(core.problems)")
                    #expect(Set(all.map(\.id)).count == all.count, "an event delivered twice: \(all.map(\.id))")
                }
            }
        }
    }

    @Test func theEmbeddedRoutersRoutesAnswer404AndTheCoreMayNotActAsAdmin() async throws {
        try await FakeCore.with { core, server in
            try await GatewayHarness.with(Self.configuration(core: server.url("/events"))) { gateway in
                for (method, path) in [
                    ("GET", "/v1/agents"), ("GET", "/v1/agents/alice"), ("POST", "/v1/notifications/n1/accept"),
                    ("GET", "/v1/work-items"), ("PUT", "/v1/agents/alice/presence"),
                ] {
                    let response = try await gateway.request(method, path, token: "admin-token", json: "{}")
                    #expect(response.status == 404, "\(method) \(path) answered \(response.status)")
                }
                #expect(try await gateway.postTwilioSMS(sid: "SM-core-404").status == 200)
                let events = try await core.waitUntil("the notification request") { $0.count >= 2 }
                let conversationID = events[0].conversationID
                let transfer = try await gateway.request(
                    "POST", "/v1/conversations/\(conversationID)/transfer", token: "admin-token",
                    json: #"{"queue":"default"}"#)
                #expect(transfer.status == 404)
                // An agent's token still authenticates, but the conversation is not its own.
                let agent = try await gateway.request(
                    "GET", "/v1/conversations/\(conversationID)", token: "alice-token")
                #expect(agent.status == 403)
                #expect(try await gateway.request("GET", "/v1/conversations", token: "wrong").status == 401)
            }
        }
    }

    @Test func connectRefusesWhatItCannotConnect() async throws {
        try await FakeCore.with { core, server in
            try await GatewayHarness.with(Self.configuration(core: server.url("/events"))) { gateway in
                #expect(try await gateway.postTwilioSMS(sid: "SM-core-connect").status == 200)
                let events = try await core.waitUntil("the notification request") { $0.count >= 2 }
                let path = "/v1/conversations/\(events[0].conversationID)/connect"
                func error(_ token: String, _ json: String) async throws -> (Int, JSONValue?) {
                    let response = try await gateway.request("POST", path, token: token, json: json)
                    return (response.status, try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)))
                }
                let sms = try await error(FakeCore.token, #"{"endpoint":"client:bob"}"#)
                #expect(sms.0 == 409 && sms.1?["error"] == .string("cannot-connect"))
                let bad = try await error(FakeCore.token, #"{"endpoint":"bob"}"#)
                #expect(bad.0 == 400 && bad.1?["field"] == .string("endpoint"))
                let missing = try await error(FakeCore.token, #"{}"#)
                #expect(missing.0 == 400 && missing.1?["field"] == .string("endpoint"))
                let agent = try await error("alice-token", #"{"endpoint":"client:bob"}"#)
                #expect(agent.0 == 403)
                let unknown = try await gateway.request(
                    "POST", "/v1/conversations/conv-none/connect", token: FakeCore.token,
                    json: #"{"endpoint":"client:bob"}"#)
                #expect(unknown.status == 404)
            }
        }
    }
}
