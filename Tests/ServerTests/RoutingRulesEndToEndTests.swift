import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// The seed's notification rules over real loopback HTTP and SSE, with timeouts shortened through
/// configuration: timeout and reroute, reject to `dnd`, the session limit, supervisor reset, work items and
/// transfer.
@Suite("Routing rules end to end", .timeLimit(.minutes(2)))
struct RoutingRulesEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let twilioSID = "AC0123456789abcdef0123456789abcdef"
    static let twilioToken = "twilio-test-auth-token"

    static func configuration(_ notifications: Configuration.NotificationSettings) -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "twilio-main", provider: .twilio, numbers: ["+14155550199"], region: "US",
                    credentials: ["accountSID": twilioSID, "authToken": twilioToken], apiBaseURL: "http://127.0.0.1:9")
            ],
            agents: [
                .init(id: "alice", token: "alice-token"), .init(id: "bob", token: "bob-token"),
                .init(id: "sam", token: "sam-token", role: .supervisor),
            ],
            notifications: notifications)
    }

    @Test func anAlertNotAnsweredInTimeIsReroutedAndItsAgentGoesInactive() async throws {
        try await GatewayHarness.with(Self.configuration(.init(alertTimeoutSeconds: 1))) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            let bob = try await gateway.events(agent: "bob", token: "bob-token")
            _ = try await bob.next("presence")

            try await inboundSMS(gateway, from: "+14155550100")
            let offer = try await alice.next("notification").data
            let conversationID = try #require(offer["conversationId"]?.stringValue)
            #expect(offer["timeoutSeconds"] == .number(1))

            let closed = try await alice.next("notification.closed").data
            #expect(closed["id"] == offer["id"] && closed["outcome"] == .string("timed-out"))
            let inactive = try await alice.next("presence").data
            #expect(inactive["status"] == .string("inactive") && inactive["reason"] == .string("missed-notification"))
            #expect(try await alice.next("notification").data["scenario"] == .string("missed"))

            let rerouted = try await bob.next("notification").data
            #expect(rerouted["conversationId"] == .string(conversationID))
            let late = try await gateway.request(
                "POST", "/v1/notifications/\(offer["id"]?.stringValue ?? "")/accept", token: "alice-token")
            #expect(late.status == 409)

            let conversation = try await gateway.api(
                "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            guard case .array(let offers) = conversation["offers"] else { throw TestFailure("no offers") }
            #expect(offers.map { $0["agentId"] } == [.string("alice"), .string("bob")])
            #expect(offers.first?["outcome"] == .string("timed-out"))
            await alice.close()
            await bob.close()
        }
    }

    @Test func aRejectGoesToTheNextAgentAndItsAgentGoesDoNotDisturb() async throws {
        try await GatewayHarness.with(Self.configuration(.init())) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            let bob = try await gateway.events(agent: "bob", token: "bob-token")
            _ = try await bob.next("presence")

            try await inboundSMS(gateway, from: "+14155550100")
            let offer = try await alice.next("notification").data
            let id = try #require(offer["id"]?.stringValue)
            let rejected = try await gateway.api("POST", "/v1/notifications/\(id)/reject", token: "alice-token")
            #expect(rejected["outcome"] == .string("rejected"))
            #expect(try await alice.next("notification.closed").data["outcome"] == .string("rejected"))
            let dnd = try await alice.next("presence").data
            #expect(dnd["status"] == .string("dnd") && dnd["reason"] == .string("rejected"))
            #expect(try await alice.next("notification").data["scenario"] == .string("rejected"))
            #expect(try await bob.next("notification").data["conversationId"] == offer["conversationId"])
            let again = try await gateway.request("POST", "/v1/notifications/\(id)/reject", token: "alice-token")
            #expect(again.status == 409)
            await alice.close()
            await bob.close()
        }
    }

    @Test func anAgentAtTheSessionLimitGoesDoNotDisturbWhenNewWorkArrives() async throws {
        try await GatewayHarness.with(Self.configuration(.init(maxSessions: 1))) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            try await inboundSMS(gateway, from: "+14155550100")
            let offer = try await alice.next("notification").data
            _ = try await gateway.api(
                "POST", "/v1/notifications/\(offer["id"]?.stringValue ?? "")/accept", token: "alice-token")

            try await inboundSMS(gateway, from: "+14155550101")
            let limit = try await alice.next("notification").data
            #expect(limit["kind"] == .string("banner") && limit["scenario"] == .string("max-sessions"))
            let agent = try await gateway.api("GET", "/v1/agents/alice", token: "sam-token")
            #expect(agent["presence"] == .string("dnd") && agent["presenceReason"] == .string("max-sessions"))

            // The second conversation waits, and says why.
            let waiting = try await gateway.api("GET", "/v1/conversations?status=open", token: "admin-token")
            guard case .array(let conversations) = waiting["conversations"] else { throw TestFailure("no list") }
            let reasons = conversations.compactMap { $0["waitingReason"]?.stringValue }
            #expect(reasons.contains { $0.contains("alice dnd since") && $0.contains("(max sessions)") })
            await alice.close()
        }
    }

    @Test func aSupervisorResetPutsAMissedAgentBackToWork() async throws {
        try await GatewayHarness.with(Self.configuration(.init(alertTimeoutSeconds: 1))) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            try await inboundSMS(gateway, from: "+14155550100")
            let first = try await alice.next("notification").data
            #expect(try await alice.next("notification.closed").data["outcome"] == .string("timed-out"))
            #expect(try await alice.next("presence").data["status"] == .string("inactive"))

            let denied = try await gateway.request("POST", "/v1/agents/alice/presence/reset", token: "alice-token")
            #expect(denied.status == 403)
            let reset = try await gateway.api("POST", "/v1/agents/alice/presence/reset", token: "sam-token")
            #expect(reset["presence"] == .string("available") && reset["presenceSetBy"] == .string("supervisor"))
            // Eligible again: the waiting conversation comes back.
            var again = try await alice.next("notification").data
            while again["kind"] != .string("alert") { again = try await alice.next("notification").data }
            #expect(again["conversationId"] == first["conversationId"])
            await alice.close()
        }
    }

    @Test func workItemsAndTransfersOverTheAPI() async throws {
        try await GatewayHarness.with(Self.configuration(.init())) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            let bob = try await gateway.events(agent: "bob", token: "bob-token")
            _ = try await bob.next("presence")

            let denied = try await gateway.request(
                "POST", "/v1/work-items", token: "alice-token", json: #"{"kind": "case", "title": "Refund"}"#)
            #expect(denied.status == 403)
            let item = try await gateway.api(
                "POST", "/v1/work-items", token: "sam-token",
                json: #"{"kind": "case", "title": "Refund", "agentId": "bob", "priority": 2}"#, expect: 201)
            #expect(item["status"] == .string("assigned") && item["assignedAgent"] == .string("bob"))
            let itemID = try #require(item["id"]?.stringValue)
            let alert = try await bob.next("notification").data
            #expect(alert["scenario"] == .string("case-assignment") && alert["allowReject"] == .bool(false))
            #expect(alert["workItemId"] == .string(itemID))

            let assigned = try await gateway.api("GET", "/v1/work-items?status=assigned", token: "admin-token")
            guard case .array(let items) = assigned["workItems"] else { throw TestFailure("no list") }
            #expect(items.map { $0["id"] } == [.string(itemID)])
            #expect(try await gateway.request("GET", "/v1/work-items/\(itemID)", token: "alice-token").status == 403)
            let closed = try await gateway.api("POST", "/v1/work-items/\(itemID)/close", token: "bob-token")
            #expect(closed["status"] == .string("closed"))

            // A conversation alice holds, transferred to bob: bob gets a toast, alice conversation.closed.
            try await inboundSMS(gateway, from: "+14155550100")
            let offer = try await alice.next("notification").data
            let conversationID = try #require(offer["conversationId"]?.stringValue)
            _ = try await gateway.api(
                "POST", "/v1/notifications/\(offer["id"]?.stringValue ?? "")/accept", token: "alice-token")
            let transfer = try await gateway.api(
                "POST", "/v1/conversations/\(conversationID)/transfer", token: "alice-token",
                json: #"{"agentId": "bob"}"#, expect: 202)
            #expect(transfer["target"]?["agentId"] == .string("bob"))
            var toast = try await bob.next("notification").data
            while toast["kind"] != .string("toast") { toast = try await bob.next("notification").data }
            #expect(toast["scenario"] == .string("transfer") && toast["conversationId"] == .string(conversationID))
            #expect(try await alice.next("conversation.closed").data["reason"] == .string("transferred"))
            let conversation = try await gateway.api(
                "GET", "/v1/conversations/\(conversationID)", token: "bob-token")
            #expect(conversation["assignedAgent"] == .string("bob"))
            // The former holder's second try loses.
            let again = try await gateway.request(
                "POST", "/v1/conversations/\(conversationID)/transfer", token: "alice-token",
                json: #"{"queue": "default"}"#)
            #expect(again.status == 403)
            await alice.close()
            await bob.close()
        }
    }

    /// An inbound Twilio SMS, signed as Twilio signs it.
    private func inboundSMS(_ gateway: GatewayHarness, from phone: String) async throws {
        let parameters = [
            ("MessageSid", "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "")), ("From", phone),
            ("To", "+14155550199"), ("Body", "Hello"), ("NumMedia", "0"),
        ]
        let signature = ProviderRequests.twilioSignature(
            url: "\(Self.publicURL)/webhooks/twilio-main/inbound", parameters: parameters, authToken: Self.twilioToken)
        let response = try await gateway.request(
            "POST", "/webhooks/twilio-main/inbound",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Twilio-Signature", value: signature),
            ],
            body: Array(ProviderRequests.form(parameters).utf8))
        guard response.status == 200 else { throw TestFailure("inbound answered \(response.status): \(response.text)") }
    }
}
