import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct TelnyxMessagesAPITests {
    let message = OutboundMessage(
        messageID: "msg-1", channelID: "telnyx-main", from: nil, to: "+13125550100", text: "Hi & \"welcome\" 😀",
        idempotencyKey: "key-1", firstQueuedAt: testNow,
        statusCallbackURL: "https://gw.example.com/webhooks/telnyx-main/events")

    func response(
        _ status: Int, _ body: String, headers: [(name: String, value: String)] = []
    ) -> Result<CurlResponse, CurlError> {
        .success(CurlResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    func classify(_ result: Result<CurlResponse, CurlError>) -> SendOutcome {
        TelnyxMessagesAPI.classify(result, channelID: "telnyx-main")
    }

    @Test func requestBuilding() throws {
        let request = TelnyxMessagesAPI.request(for: message, channel: telnyxChannel)
        #expect(request.method == "POST")
        #expect(request.url == "https://api.telnyx.com/v2/messages")
        #expect(request.headers.value("Authorization") == "Bearer KEY0123456789")
        #expect(request.headers.value("Content-Type") == "application/json")
        let body = try JSONValue.parse(request.body, maxDepth: 8, what: "t")
        #expect(
            body
                == .object([
                    "from": .string("+13125550199"), "to": .string("+13125550100"),
                    "text": .string("Hi & \"welcome\" 😀"), "messaging_profile_id": .string("profile-1"),
                    "webhook_url": .string("https://gw.example.com/webhooks/telnyx-main/events"),
                ]))
    }

    @Test func apiBaseURLAndOptionalFields() throws {
        var channel = telnyxChannel
        channel.apiBaseURL = "http://127.0.0.1:9099/"
        channel.credentials["messagingProfileID"] = nil
        channel.numbers = []
        var bare = message
        bare.statusCallbackURL = nil
        let request = TelnyxMessagesAPI.request(for: bare, channel: channel)
        #expect(request.url == "http://127.0.0.1:9099/v2/messages")
        let body = try JSONValue.parse(request.body, maxDepth: 8, what: "t")
        #expect(body["from"] == nil)
        #expect(body["messaging_profile_id"] == nil)
        #expect(body["webhook_url"] == nil)
    }

    @Test func accepted() {
        #expect(
            classify(response(200, #"{"data":{"record_type":"message","id":"40385f64-5717-4562-b3fc-2c963f66afa6"}}"#))
                == .accepted(providerMessageID: "40385f64-5717-4562-b3fc-2c963f66afa6"))
        guard case .permanent(let detail, false) = classify(response(200, "{}")) else {
            Issue.record("a 200 without id must not be retried")
            return
        }
        #expect(detail.code == "unexpected-response")
    }

    @Test func retryLater() {
        #expect(
            classify(
                response(
                    429, #"{"errors":[{"code":"10011","title":"Too many requests","detail":"Slow down"}]}"#,
                    headers: [(name: "Retry-After", value: "7")]))
                == .retryLater(ProviderErrorDetail(code: "10011", message: "Slow down"), retryAfter: 7))
        #expect(
            classify(response(503, "oops"))
                == .retryLater(
                    ProviderErrorDetail(code: "http-503", message: "telnyx-main: Telnyx answered HTTP 503"),
                    retryAfter: nil))
        let refused = classify(.failure(CurlError(kind: .connectFailed, code: 7, message: "refused")))
        guard case .retryLater(let detail, nil) = refused else {
            Issue.record("connection errors are retried: \(refused)")
            return
        }
        #expect(detail.code == "connection")
    }

    @Test func permanent() {
        #expect(
            classify(response(400, #"{"errors":[{"code":"10002","title":"Invalid phone number"}]}"#))
                == .permanent(ProviderErrorDetail(code: "10002", message: "Invalid phone number"), optedOut: false))
        #expect(
            classify(response(401, #"{"errors":[{"code":"10009","title":"Authentication failed"}]}"#))
                == .permanent(ProviderErrorDetail(code: "10009", message: "Authentication failed"), optedOut: false))
        #expect(
            classify(response(409, #"{"errors":[{"code":"40300","title":"Blocked due to STOP message"}]}"#))
                == .permanent(
                    ProviderErrorDetail(code: "40300", message: "Blocked due to STOP message"), optedOut: true))
    }
}
