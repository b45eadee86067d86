import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// Plivo over real loopback HTTP: signed inbound form → notification → accept → reply → the fake Message API got
/// Basic auth and the `…/status` callback → signed status callback → `delivered`.
@Suite("Plivo end to end", .timeLimit(.minutes(2)))
struct PlivoEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let authID = "MAPLIVOTESTAUTHID000"
    static let authToken = "plivo-test-auth-token"

    static func configuration(api: String) -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "plivo-main", provider: .plivo, numbers: ["+16505550199"], region: "US",
                    credentials: ["authID": authID, "authToken": authToken], apiBaseURL: api)
            ],
            agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])
    }

    static func fakePlivo(_ request: RecordedRequest) -> TestHTTPResponse {
        let basic = "Basic " + Data("\(authID):\(authToken)".utf8).base64EncodedString()
        guard request.header("Authorization") == basic else {
            return .json(#"{"api_id":"x","error":"authentication failed"}"#, status: 401)
        }
        guard request.path == "/v1/Account/\(authID)/Message/" else {
            return .json(#"{"api_id":"x","error":"not found"}"#, status: 404)
        }
        return .json(
            #"{"api_id":"948b53a2","message":"message(s) queued","message_uuid":["\#(UUID().uuidString.lowercased())"]}"#,
            status: 202)
    }

    func post(_ gateway: GatewayHarness, kind: String, _ parameters: [(String, String)]) async throws -> CurlResponse {
        let nonce = String(Int.random(in: 10_000_000...99_999_999))
        let signature = ProviderSigning.plivo(
            url: "\(Self.publicURL)/webhooks/plivo-main/\(kind)", parameters: parameters, nonce: nonce,
            authToken: Self.authToken)
        return try await gateway.request(
            "POST", "/webhooks/plivo-main/\(kind)",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Plivo-Signature-V3", value: signature), (name: "X-Plivo-Signature-V3-Nonce", value: nonce),
            ],
            body: Array(ProviderRequests.form(parameters).utf8))
    }

    @Test("inbound → notification → accept → reply → Message API → status callback → delivered")
    func smsPath() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakePlivo($0) }) { plivo in
            try await GatewayHarness.with(Self.configuration(api: plivo.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")

                let inbound = try await post(
                    gateway, kind: "inbound",
                    [
                        ("From", "16505550100"), ("To", "16505550199"), ("Text", "My internet is down"),
                        ("Type", "sms"), ("MessageUUID", "3e8e6b6a-0c1d-11ee-9a3c-0242ac120002"), ("Units", "1"),
                        ("MessageIntent", ""),
                    ])
                #expect(inbound.status == 200)
                #expect(inbound.header("Content-Type")?.hasPrefix("application/xml") == true)
                #expect(inbound.text == "<Response/>")

                let notification = try await alice.next("notification").data
                #expect(notification["customer"]?["phone"] == .string("+16505550100"))
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")
                let messageID = try await gateway.reply(
                    in: conversationID, text: "A technician is on the way.", token: "alice-token")

                let sent = try await plivo.waitForRequests(count: 1)
                #expect(sent.count == 1)
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(sent[0].body))
                #expect(body["src"] == .string("16505550199"))
                #expect(body["dst"] == .string("16505550100"))
                #expect(body["text"] == .string("A technician is on the way."))
                #expect(body["url"] == .string("\(Self.publicURL)/webhooks/plivo-main/status"))
                #expect(body["method"] == .string("POST"))

                let sentMessage = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentMessage["providerMessageId"]?.stringValue)

                let report = try await post(
                    gateway, kind: "status",
                    [
                        ("MessageUUID", providerID), ("Status", "delivered"), ("From", "16505550199"),
                        ("To", "16505550100"), ("ErrorCode", "000"), ("Units", "1"),
                    ])
                #expect(report.status == 200)
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)
                await alice.close()
            }
        }
    }
}
