import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// TeleSign over real loopback HTTP: signed MO callback → notification → accept → reply → the fake Messaging API
/// got a TeleSign-signed (HMAC) request and a form body → signed delivery report on the registered callback (`status`) → `delivered`.
@Suite("TeleSign end to end", .timeLimit(.minutes(2)))
struct TeleSignEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let customerID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
    static let apiKey = Data("telesign-test-api-key-0123456789".utf8).base64EncodedString()

    static func configuration(api: String) -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "telesign-main", provider: .telesign, numbers: ["+12065550199"], region: "US",
                    credentials: ["customerID": customerID, "apiKey": apiKey], apiBaseURL: api)
            ],
            agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])
    }

    static func fakeTeleSign(_ request: RecordedRequest) -> TestHTTPResponse {
        guard
            let date = request.header("Date"), let nonce = request.header("x-ts-nonce"),
            request.header("x-ts-auth-method") == "HMAC-SHA256",
            request.header("Authorization")
                == ProviderSigning.teleSignRequest(
                    customerID: customerID, apiKey: apiKey,
                    stringToSign:
                        "POST\napplication/x-www-form-urlencoded\n\(date)\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:\(nonce)\n\(request.bodyText)\n/v1/messaging"
                )
        else {
            return .json(#"{"errors":[{"code":-30000,"description":"Invalid Customer ID."}]}"#, status: 401)
        }
        guard request.path == "/v1/messaging" else { return .json(#"{"errors":[]}"#, status: 404) }
        let reference = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        return .json(
            #"{"reference_id":"\#(reference)","status":{"code":290,"description":"Message in progress"}}"#)
    }

    func post(_ gateway: GatewayHarness, kind: String, _ body: String) async throws -> CurlResponse {
        let bytes = Array(body.utf8)
        return try await gateway.request(
            "POST", "/webhooks/telesign-main/\(kind)",
            headers: [
                (name: "Content-Type", value: "application/json"),
                (
                    name: "Authorization",
                    value: ProviderSigning.teleSign(customerID: Self.customerID, apiKey: Self.apiKey, body: bytes)
                ),
            ],
            body: bytes)
    }

    @Test("MO SMS → notification → accept → reply → Messaging API → delivery report → delivered")
    func smsPath() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeTeleSign($0) }) { telesign in
            try await GatewayHarness.with(Self.configuration(api: telesign.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")

                let inbound = try await post(
                    gateway, kind: "inbound",
                    #"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":1500,"description":"Delivered to customer"},"sub_resource":"mo_sms","errors":{},"user_response":{"sender_id":"12065550199","phone_number":"12065550100","mo_message":"My internet is down"}}"#
                )
                #expect(inbound.status == 200)
                let notification = try await alice.next("notification").data
                #expect(notification["customer"]?["phone"] == .string("+12065550100"))
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")
                let messageID = try await gateway.reply(
                    in: conversationID, text: "A technician is on the way.", token: "alice-token")

                let sent = try await telesign.waitForRequests(count: 1)
                #expect(sent.count == 1)
                let form = Dictionary(
                    uniqueKeysWithValues: try #require(FormFields.parse(sent[0].bodyText)).map { ($0.0, $0.1) })
                #expect(form["phone_number"] == "12065550100")
                #expect(form["message"] == "A technician is on the way.")
                #expect(form["message_type"] == "ARN")

                let sentMessage = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentMessage["providerMessageId"]?.stringValue)
                let report = try await post(
                    gateway, kind: "status",
                    #"{"reference_id":"\#(providerID)","status":{"code":200,"description":"Delivered to handset","updated_on":"2026-11-25T07:42:00Z"},"submit_timestamp":"2026-11-25T07:41:00Z"}"#
                )
                #expect(report.status == 200)
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)
                await alice.close()
            }
        }
    }
}
