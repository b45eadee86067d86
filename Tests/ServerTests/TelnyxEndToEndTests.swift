import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// Telnyx over real loopback HTTP: signed `message.received` → notification → accept → reply → the fake Messages
/// API got our Bearer key and the `…/events` webhook URL → signed `message.finalized` → `delivered`.
@Suite("Telnyx end to end", .timeLimit(.minutes(2)))
struct TelnyxEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let apiKey = "KEY-telnyx-test"
    /// RFC 8032 §7.1 TEST 1.
    static let privateKey = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
    static let publicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    static func configuration(api: String) -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "telnyx-main", provider: .telnyx, numbers: ["+13125550199"], region: "US",
                    credentials: ["apiKey": apiKey, "publicKey": publicKey, "messagingProfileID": "profile-42"],
                    apiBaseURL: api)
            ],
            agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])
    }

    static func fakeTelnyx(_ request: RecordedRequest) -> TestHTTPResponse {
        guard request.header("Authorization") == "Bearer \(apiKey)" else {
            return .json(#"{"errors":[{"code":"10009","title":"Authentication failed"}]}"#, status: 401)
        }
        guard request.path == "/v2/messages" else { return .json(#"{"errors":[]}"#, status: 404) }
        return .json(#"{"data":{"record_type":"message","id":"out-\#(UUID().uuidString.lowercased())"}}"#)
    }

    func post(_ gateway: GatewayHarness, _ body: String, signedAt: Date = Date()) async throws -> CurlResponse {
        let timestamp = String(Int(signedAt.timeIntervalSince1970))
        let bytes = Array(body.utf8)
        return try await gateway.request(
            "POST", "/webhooks/telnyx-main/events",
            headers: [
                (name: "Content-Type", value: "application/json"), (name: "telnyx-timestamp", value: timestamp),
                (
                    name: "telnyx-signature-ed25519",
                    value: try ProviderSigning.telnyx(timestamp: timestamp, body: bytes, privateKey: Self.privateKey)
                ),
            ],
            body: bytes)
    }

    @Test("message.received → notification → accept → reply → Messages API → message.finalized → delivered")
    func smsPath() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeTelnyx($0) }) { telnyx in
            try await GatewayHarness.with(Self.configuration(api: telnyx.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")

                let inbound = try await post(
                    gateway,
                    #"{"data":{"record_type":"event","id":"evt-in-1","event_type":"message.received","occurred_at":"2026-11-25T07:41:00.000+00:00","payload":{"id":"msg-in-1","direction":"inbound","type":"SMS","from":{"phone_number":"+13125550100"},"to":[{"phone_number":"+13125550199"}],"text":"My internet is down","media":[]}},"meta":{"attempt":1}}"#
                )
                #expect(inbound.status == 200)
                // A redelivery of the same event stores nothing and notifies nobody.
                let again = try await post(
                    gateway,
                    #"{"data":{"record_type":"event","id":"evt-in-1","event_type":"message.received","occurred_at":"2026-11-25T07:41:00.000+00:00","payload":{"id":"msg-in-1","direction":"inbound","type":"SMS","from":{"phone_number":"+13125550100"},"to":[{"phone_number":"+13125550199"}],"text":"My internet is down","media":[]}},"meta":{"attempt":2}}"#
                )
                #expect(again.status == 200)

                let notification = try await alice.next("notification").data
                #expect(notification["scenario"] == .string("incoming-sms"))
                #expect(notification["channelId"] == .string("telnyx-main"))
                #expect(notification["customer"]?["phone"] == .string("+13125550100"))
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")

                let messageID = try await gateway.reply(
                    in: conversationID, text: "A technician is on the way.", token: "alice-token")

                let sent = try await telnyx.waitForRequests(count: 1)
                #expect(sent.count == 1)
                #expect(sent[0].method == "POST")
                #expect(sent[0].header("Authorization") == "Bearer \(Self.apiKey)")
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(sent[0].body))
                #expect(body["from"] == .string("+13125550199"))
                #expect(body["to"] == .string("+13125550100"))
                #expect(body["text"] == .string("A technician is on the way."))
                #expect(body["messaging_profile_id"] == .string("profile-42"))
                #expect(body["webhook_url"] == .string("\(Self.publicURL)/webhooks/telnyx-main/events"))

                let sentMessage = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentMessage["providerMessageId"]?.stringValue)
                #expect(providerID.hasPrefix("out-"))

                let finalized = try await post(
                    gateway,
                    #"{"data":{"record_type":"event","id":"evt-fin-1","event_type":"message.finalized","occurred_at":"2026-11-25T07:42:00.000+00:00","payload":{"id":"\#(providerID)","direction":"outbound","to":[{"phone_number":"+13125550100","status":"delivered"}],"errors":[]}}}"#
                )
                #expect(finalized.status == 200)
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)
                // A late message.sent does not move it back.
                _ = try await post(
                    gateway,
                    #"{"data":{"record_type":"event","id":"evt-sent-1","event_type":"message.sent","payload":{"id":"\#(providerID)","to":[{"phone_number":"+13125550100","status":"sent"}]}}}"#
                )
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)

                let metrics = try await gateway.request("GET", "/metrics").text
                #expect(
                    metrics.contains(
                        #"switchboard_webhooks_total{provider="telnyx",kind="events",outcome="duplicate"} 1"#))
                await alice.close()
            }
        }
    }

    @Test("a stale redelivery of a stored event is a duplicate; a stale new event is refused")
    func staleTimestamps() async throws {
        try await GatewayHarness.with(Self.configuration(api: "http://127.0.0.1:9")) { gateway in
            let event =
                #"{"data":{"id":"evt-stale-1","event_type":"message.received","payload":{"id":"msg-stale-1","from":{"phone_number":"+13125550122"},"to":[{"phone_number":"+13125550199"}],"text":"Hi"}}}"#
            #expect(try await post(gateway, event).status == 200)
            let hourAgo = Date().addingTimeInterval(-3600)
            let redelivery = try await post(gateway, event, signedAt: hourAgo)
            #expect(redelivery.status == 200)
            let fresh =
                #"{"data":{"id":"evt-stale-2","event_type":"message.received","payload":{"id":"msg-stale-2","from":{"phone_number":"+13125550122"},"to":[{"phone_number":"+13125550199"}],"text":"Replayed"}}}"#
            let refused = try await post(gateway, fresh, signedAt: hourAgo)
            #expect(refused.status == 403)
            #expect(refused.json?["error"] == .string("timestamp-outside-window"))
            #expect(refused.json?["field"] == .string("telnyx-timestamp"))
            let conversations = try await gateway.api(
                "GET", "/v1/conversations?customerPhone=%2B13125550122", token: "admin-token")
            guard case .array(let list) = conversations["conversations"], let id = list.first?["id"]?.stringValue else {
                Issue.record("no conversation")
                return
            }
            let conversation = try await gateway.api("GET", "/v1/conversations/\(id)", token: "admin-token")
            guard case .array(let messages) = conversation["messages"] else { return }
            #expect(messages.count == 1)
        }
    }

    @Test("opt-out: message.finalized with 40300 marks the reply opted-out and blocks further replies")
    func optOut() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeTelnyx($0) }) { telnyx in
            try await GatewayHarness.with(Self.configuration(api: telnyx.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                _ = try await post(
                    gateway,
                    #"{"data":{"id":"evt-in-2","event_type":"message.received","payload":{"id":"msg-in-2","from":{"phone_number":"+13125550111"},"to":[{"phone_number":"+13125550199"}],"text":"Hi"}}}"#
                )
                let notification = try await alice.next("notification").data
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")
                let messageID = try await gateway.reply(in: conversationID, text: "Hello", token: "alice-token")
                let sentMessage = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentMessage["providerMessageId"]?.stringValue)
                _ = try await post(
                    gateway,
                    #"{"data":{"id":"evt-fin-2","event_type":"message.finalized","payload":{"id":"\#(providerID)","to":[{"phone_number":"+13125550111","status":"sending_failed"}],"errors":[{"code":"40300","title":"Blocked due to STOP message"}]}}}"#
                )
                let optedOut = try await waitForMessageStatus(
                    "opted-out", of: messageID, in: conversationID, gateway: gateway)
                #expect(optedOut["error"]?["code"] == .string("40300"))
                let refused = try await gateway.request(
                    "POST", "/v1/conversations/\(conversationID)/messages", token: "alice-token",
                    json: #"{"text": "Still there?"}"#)
                #expect(refused.status == 409)
                #expect(refused.json?["error"] == .string("opted-out"))
                await alice.close()
            }
        }
    }
}
