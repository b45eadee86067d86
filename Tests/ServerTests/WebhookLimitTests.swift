import Foundation
import Switchboard
import Testing

/// Refusals that happen before any provider code runs (CONTRACT.md §3 order, §9 bodies): each is answered with
/// its status and JSON error, and stores nothing.
@Suite("Webhook limits and routes", .timeLimit(.minutes(2)))
struct WebhookLimitTests {
    static func configuration() -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        configuration.limits = .init(maxBodyBytes: 2048, maxHeaderBytes: 4096, maxHeaderCount: 20, maxFormParams: 10)
        return configuration
    }

    @Test func unknownChannelIs404() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let response = try await gateway.request("POST", "/webhooks/nope/inbound", body: Array("a=b".utf8))
            #expect(response.status == 404)
            #expect(response.json?["error"] == .string("not-found"))
            #expect(response.json?["message"]?.stringValue?.contains("nope") == true)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let body = Array(repeating: UInt8(ascii: "a"), count: 4096)
            let response = try await gateway.request(
                "POST", "/webhooks/twilio-main/inbound",
                headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: body)
            #expect(response.status == 413)
            #expect(response.json?["error"] == .string("body-too-large"))
            #expect(response.json?["field"] == .string("maxBodyBytes"))
        }
    }

    @Test func tooManyHeadersIs431() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let headers = (0..<30).map { (name: "X-Extra-\($0)", value: "1") }
            let response = try await gateway.request(
                "POST", "/webhooks/twilio-main/inbound", headers: headers, body: Array("a=b".utf8))
            #expect(response.status == 431)
            #expect(response.json?["field"] == .string("maxHeaderCount"))
        }
    }

    @Test func headersOverTheByteLimitAre431() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let response = try await gateway.request(
                "POST", "/webhooks/twilio-main/inbound",
                headers: [(name: "X-Large", value: String(repeating: "x", count: 5000))], body: Array("a=b".utf8))
            #expect(response.status == 431)
            #expect(response.json?["field"] == .string("maxHeaderBytes"))
        }
    }

    @Test func tooManyFormParametersAre400() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let body = (0..<20).map { "p\($0)=v" }.joined(separator: "&")
            let response = try await gateway.request(
                "POST", "/webhooks/twilio-main/inbound",
                headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: Array(body.utf8))
            #expect(response.status == 400)
            #expect(response.json?["error"] == .string("limit-exceeded"))
            #expect(response.json?["field"] == .string("maxFormParams"))
        }
    }

    @Test func unknownRouteIsJSON404() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let response = try await gateway.request("GET", "/nothing/here")
            #expect(response.status == 404)
            #expect(response.json?["error"] == .string("not-found"))
        }
    }
}

/// Bearer tokens and who may act on what (CONTRACT.md §5).
@Suite("API authorization", .timeLimit(.minutes(2)))
struct APIAuthorizationTests {
    static func configuration() -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        configuration.agents.append(.init(id: "bob", name: "Bob", token: "bob-token"))
        configuration.agents.append(.init(id: "sam", name: "Sam", token: "sam-token", role: .supervisor))
        return configuration
    }

    @Test func missingOrWrongTokenIs401() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let none = try await gateway.request("GET", "/v1/agents")
            #expect(none.status == 401)
            #expect(none.json?["error"] == .string("unauthorized"))
            let wrong = try await gateway.request("GET", "/v1/agents", token: "alice-token-x")
            #expect(wrong.status == 401)
        }
    }

    @Test func agentsActOnlyOnThemselves() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let other = try await gateway.request(
                "PUT", "/v1/agents/bob/presence", token: "alice-token", json: #"{"status": "away"}"#)
            #expect(other.status == 403)
            let own = try await gateway.api(
                "PUT", "/v1/agents/alice/presence", token: "alice-token", json: #"{"status": "away"}"#)
            #expect(own["presence"] == .string("away"))
            let inactive = try await gateway.request(
                "PUT", "/v1/agents/alice/presence", token: "alice-token", json: #"{"status": "inactive"}"#)
            #expect(inactive.status == 400)
            let stream = try await gateway.request("GET", "/v1/agents/bob/events", token: "alice-token")
            #expect(stream.status == 403)
            let reset = try await gateway.request("POST", "/v1/agents/alice/presence/reset", token: "alice-token")
            #expect(reset.status == 403)
            let bySupervisor = try await gateway.api("POST", "/v1/agents/alice/presence/reset", token: "sam-token")
            #expect(bySupervisor["presenceSetBy"] == .string("supervisor"))
        }
    }

    @Test func agentsCannotReadAcceptOrReplyInAnotherAgentsWork() async throws {
        var configuration = Self.configuration()
        configuration.agents = configuration.agents.map { agent in
            var agent = agent
            if agent.id == "bob" { agent.queues = ["elsewhere"] }  // only alice is offered the conversation
            return agent
        }
        try await GatewayHarness.with(configuration) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            #expect(try await gateway.postTwilioSMS(sid: "SM-iso-1").status == 200)
            let notification = try await alice.next("notification").data
            let notificationID = try #require(notification["id"]?.stringValue)
            let conversationID = try #require(notification["conversationId"]?.stringValue)
            // Bob can neither see the offer's conversation nor answer alice's notification.
            #expect(
                try await gateway.request("GET", "/v1/conversations/\(conversationID)", token: "bob-token").status
                    == 403)
            let stolen = try await gateway.request(
                "POST", "/v1/notifications/\(notificationID)/accept", token: "bob-token")
            #expect(stolen.status == 403)
            // Alice may read the conversation of an offer pending to her, then accepts it.
            _ = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "alice-token")
            _ = try await gateway.api("POST", "/v1/notifications/\(notificationID)/accept", token: "alice-token")
            let reply = try await gateway.request(
                "POST", "/v1/conversations/\(conversationID)/messages", token: "bob-token", json: #"{"text": "hi"}"#)
            #expect(reply.status == 403)
            let close = try await gateway.request(
                "POST", "/v1/conversations/\(conversationID)/close", token: "bob-token")
            #expect(close.status == 403)
            let bobsList = try await gateway.api("GET", "/v1/conversations", token: "bob-token")
            #expect(bobsList["conversations"] == .array([]))
            // The supervisor sees it.
            _ = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "sam-token")
            await alice.close()
        }
    }

    @Test func contactsAreReadableByAgentsAndValidated() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let bad = try await gateway.request(
                "POST", "/v1/contacts", token: "bob-token", json: #"{"name": "X", "mobilePhone": "12"}"#)
            #expect(bad.status == 400)
            #expect(bad.json?["field"] == .string("mobilePhone"))
            let missing = try await gateway.request("POST", "/v1/contacts", token: "bob-token", json: #"{"name": "X"}"#)
            #expect(missing.status == 400)
            #expect(missing.json?["error"] == .string("missing-field"))
            _ = try await gateway.api(
                "POST", "/v1/contacts", token: "bob-token",
                json: #"{"name": "Dieter", "mobilePhone": "0151 23456789", "region": "DE"}"#, expect: 201)
            _ = try await gateway.api(
                "POST", "/v1/contacts", token: "bob-token",
                json: #"{"name": "Dieter's wife", "mobilePhone": "+49 1512 3456789"}"#, expect: 201)
            let found = try await gateway.api("GET", "/v1/contacts?phone=%2B4915123456789", token: "alice-token")
            guard case .array(let contacts) = found["contacts"] else {
                Issue.record("no contacts array")
                return
            }
            #expect(contacts.count == 2)
            let plusAsSpace = try await gateway.api("GET", "/v1/contacts?phone=+4915123456789", token: "alice-token")
            #expect(plusAsSpace["contacts"] == found["contacts"])
            let none = try await gateway.api("GET", "/v1/contacts?phone=%2B14155550123", token: "alice-token")
            #expect(none["contacts"] == .array([]))
        }
    }
}
