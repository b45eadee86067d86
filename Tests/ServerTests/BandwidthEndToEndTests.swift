import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// Bandwidth over real loopback HTTP: `message-received` with the callback's Basic credentials → notification →
/// accept → reply → the fake OAuth2 token endpoint and the fake messages API got the right requests →
/// `message-delivered` → `delivered`; `message-failed` 4775 → `opted-out`.
@Suite("Bandwidth end to end", .timeLimit(.minutes(2)))
struct BandwidthEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let clientBasic = "Basic " + Data("client-e2e:client-secret-e2e".utf8).base64EncodedString()
    static let callbackBasic = "Basic " + Data("bw-hooks:hook-password".utf8).base64EncodedString()

    static func configuration(api: String) -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "bandwidth-main", provider: .bandwidth, numbers: ["+19195550199"], region: "US",
                    credentials: [
                        "accountID": "9900001", "applicationID": "app-e2e", "clientID": "client-e2e",
                        "clientSecret": "client-secret-e2e", "callbackUsername": "bw-hooks",
                        "callbackPassword": "hook-password",
                    ],
                    apiBaseURL: api)
            ],
            agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])
    }

    /// Both Bandwidth endpoints: the token endpoint wants the client credentials, the messages API its token.
    static func fakeBandwidth(_ request: RecordedRequest) -> TestHTTPResponse {
        switch request.path {
        case "/api/v1/oauth2/token":
            guard request.header("Authorization") == clientBasic else {
                return .json(#"{"error":"invalid_client"}"#, status: 401)
            }
            return .json(#"{"access_token":"e2e-token","token_type":"Bearer","expires_in":3600}"#)
        case "/users/9900001/messages":
            guard request.header("Authorization") == "Bearer e2e-token" else {
                return .json(#"{"type":"unauthorized","description":"Authentication Failed"}"#, status: 401)
            }
            return .json(#"{"id":"bw-\#(UUID().uuidString.lowercased())","owner":"+19195550199"}"#, status: 202)
        default:
            return .json(#"{"type":"not-found","description":"Not Found"}"#, status: 404)
        }
    }

    func post(
        _ gateway: GatewayHarness, _ body: String, authorization: String? = callbackBasic
    ) async throws
        -> CurlResponse
    {
        var headers = [(name: "Content-Type", value: "application/json")]
        if let authorization { headers.append((name: "Authorization", value: authorization)) }
        return try await gateway.request(
            "POST", "/webhooks/bandwidth-main/events", headers: headers, body: Array(body.utf8))
    }

    static func received(id: String, from: String, text: String) -> String {
        #"[{"time":"2026-11-25T07:41:00.502180Z","type":"message-received","to":"+19195550199","description":"Incoming message received","message":{"id":"\#(id)","owner":"+19195550199","applicationId":"app-e2e","time":"2026-11-25T07:41:00.000000Z","segmentCount":1,"direction":"in","to":["+19195550199"],"from":"\#(from)","text":"\#(text)"}}]"#
    }

    static func status(
        _ type: String, id: String, to: String, description: String = "d", extra: String = ""
    )
        -> String
    {
        #"[{"time":"2026-11-25T07:42:00.000000Z","type":"\#(type)","to":"\#(to)","description":"\#(description)",\#(extra)"message":{"id":"\#(id)","owner":"+19195550199","applicationId":"app-e2e","direction":"out","to":["\#(to)"],"from":"+19195550199","text":""}}]"#
    }

    /// Opens a conversation from `customer`, has Alice accept it and reply; returns the conversation, the reply
    /// and its Bandwidth id once it is `sent`.
    func replyToNewConversation(
        _ gateway: GatewayHarness, customer: String, inboundID: String, alice: EventReader
    ) async throws -> (conversation: String, message: String, providerID: String) {
        #expect(try await post(gateway, Self.received(id: inboundID, from: customer, text: "Hi")).status == 200)
        let notification = try await alice.next("notification").data
        #expect(notification["channelId"] == .string("bandwidth-main"))
        #expect(notification["customer"]?["phone"] == .string(customer))
        let conversationID = try #require(notification["conversationId"]?.stringValue)
        try await gateway.accept(notification, token: "alice-token")
        let messageID = try await gateway.reply(in: conversationID, text: "On it.", token: "alice-token")
        let sent = try await waitForMessageStatus("sent", of: messageID, in: conversationID, gateway: gateway)
        return (conversationID, messageID, try #require(sent["providerMessageId"]?.stringValue))
    }

    @Test("message-received → notification → reply via token + messages API → message-delivered → delivered")
    func smsPath() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeBandwidth($0) }) { bandwidth in
            try await GatewayHarness.with(Self.configuration(api: bandwidth.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")

                // Without the callback's credentials nothing is stored and nobody is notified.
                let unauthenticated = try await post(
                    gateway, Self.received(id: "in-forged", from: "+19195550177", text: "x"), authorization: nil)
                #expect(unauthenticated.status == 403)
                #expect(unauthenticated.json?["field"] == .string("Authorization"))

                let inbound = Self.received(id: "in-1", from: "+19195550100", text: "My internet is down")
                #expect(try await post(gateway, inbound).status == 200)
                // A redelivery stores nothing and notifies nobody.
                #expect(try await post(gateway, inbound).status == 200)
                let notification = try await alice.next("notification").data
                #expect(notification["scenario"] == .string("incoming-sms"))
                #expect(notification["customer"]?["phone"] == .string("+19195550100"))
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")

                let messageID = try await gateway.reply(
                    in: conversationID, text: "A technician is on the way.", token: "alice-token")
                let requests = try await bandwidth.waitForRequests(count: 2)
                #expect(requests.map(\.path) == ["/api/v1/oauth2/token", "/users/9900001/messages"])
                #expect(requests[0].header("Authorization") == Self.clientBasic)
                #expect(requests[0].bodyText == "grant_type=client_credentials")
                #expect(requests[1].header("Authorization") == "Bearer e2e-token")
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(requests[1].body))
                #expect(
                    body
                        == .object([
                            "applicationId": .string("app-e2e"), "to": .array([.string("+19195550100")]),
                            "from": .string("+19195550199"), "text": .string("A technician is on the way."),
                        ]))

                let sent = try await waitForMessageStatus("sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sent["providerMessageId"]?.stringValue)
                #expect(providerID.hasPrefix("bw-"))

                let delivered = Self.status("message-delivered", id: providerID, to: "+19195550100")
                #expect(try await post(gateway, delivered).status == 200)
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)
                // A late message-sending does not move it back.
                let late = Self.status("message-sending", id: providerID, to: "+19195550100")
                #expect(try await post(gateway, late).status == 200)
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)

                // A second reply reuses the token: still one token request.
                _ = try await gateway.reply(in: conversationID, text: "Anything else?", token: "alice-token")
                let all = try await bandwidth.waitForRequests(count: 3)
                #expect(all.filter { $0.path == "/api/v1/oauth2/token" }.count == 1)

                let metrics = try await gateway.request("GET", "/metrics").text
                #expect(
                    metrics.contains(
                        #"switchboard_webhooks_total{provider="bandwidth",kind="events",outcome="duplicate"} 1"#))
                await alice.close()
            }
        }
    }

    @Test("message-failed with 4775 marks the reply opted-out and blocks further replies")
    func optOut() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeBandwidth($0) }) { bandwidth in
            try await GatewayHarness.with(Self.configuration(api: bandwidth.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let (conversationID, messageID, providerID) = try await replyToNewConversation(
                    gateway, customer: "+19195550111", inboundID: "in-2", alice: alice)
                let failed = Self.status(
                    "message-failed", id: providerID, to: "+19195550111",
                    description: "Carrier Rejected due to user opt out", extra: #""errorCode":4775,"#)
                #expect(try await post(gateway, failed).status == 200)
                let optedOut = try await waitForMessageStatus(
                    "opted-out", of: messageID, in: conversationID, gateway: gateway)
                #expect(optedOut["error"]?["code"] == .string("4775"))
                #expect(optedOut["error"]?["message"] == .string("Carrier Rejected due to user opt out"))
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
