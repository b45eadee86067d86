import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct PlivoMessagesAPITests {
    let message = OutboundMessage(
        messageID: "msg-1", channelID: "plivo-main", from: nil, to: "+14155550100", text: "Hi & welcome 😀",
        idempotencyKey: "key-1", firstQueuedAt: testNow,
        statusCallbackURL: "https://gw.example.com/webhooks/plivo-main/status")

    func response(
        _ status: Int, _ body: String, headers: [(name: String, value: String)] = []
    ) -> Result<CurlResponse, CurlError> {
        .success(CurlResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    func classify(_ result: Result<CurlResponse, CurlError>) -> SendOutcome {
        PlivoMessagesAPI.classify(result, channelID: "plivo-main")
    }

    @Test func requestBuilding() throws {
        let request = PlivoMessagesAPI.request(for: message, channel: plivoChannel)
        #expect(request.method == "POST")
        #expect(request.url == "https://api.plivo.com/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/")
        let basic = Data("MAXXXXXXXXXXXXXXXXXX:plivo-test-token".utf8).base64EncodedString()
        #expect(request.headers.value("Authorization") == "Basic \(basic)")
        #expect(request.headers.value("Content-Type") == "application/json")
        let body = try JSONValue.parse(request.body, maxDepth: 8, what: "t")
        #expect(
            body
                == .object([
                    "src": .string("14155550199"), "dst": .string("14155550100"), "text": .string("Hi & welcome 😀"),
                    "type": .string("sms"), "url": .string("https://gw.example.com/webhooks/plivo-main/status"),
                    "method": .string("POST"),
                ]))
    }

    @Test func apiBaseURLWithoutCallback() throws {
        var channel = plivoChannel
        channel.apiBaseURL = "http://127.0.0.1:9099"
        var bare = message
        bare.statusCallbackURL = nil
        let request = PlivoMessagesAPI.request(for: bare, channel: channel)
        #expect(request.url == "http://127.0.0.1:9099/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/")
        let body = try JSONValue.parse(request.body, maxDepth: 8, what: "t")
        #expect(body["url"] == nil)
        #expect(body["method"] == nil)
    }

    @Test func accepted() {
        #expect(
            classify(
                response(
                    202,
                    #"{"api_id": "948b53a2-3f08-11e7-b6f4-061564b78b75", "message": "message(s) queued", "message_uuid": ["5b40a428-bfc7-4daf-9d06-726c558bf3b8"]}"#
                )) == .accepted(providerMessageID: "5b40a428-bfc7-4daf-9d06-726c558bf3b8"))
        guard case .permanent(let detail, false) = classify(response(202, #"{"message_uuid": []}"#)) else {
            Issue.record("an answer without uuid is not retried")
            return
        }
        #expect(detail.code == "unexpected-response")
    }

    @Test func retryLater() {
        #expect(
            classify(
                response(
                    429, #"{"api_id":"x","error":"too many requests"}"#, headers: [(name: "Retry-After", value: "3")]))
                == .retryLater(ProviderErrorDetail(code: "http-429", message: "too many requests"), retryAfter: 3))
        guard case .retryLater = classify(response(500, "")) else {
            Issue.record("5xx is retried")
            return
        }
        guard case .retryLater = classify(.failure(CurlError(kind: .timedOut, code: 28, message: "slow"))) else {
            Issue.record("timeouts are retried")
            return
        }
    }

    @Test func permanent() {
        #expect(
            classify(response(400, #"{"api_id":"x","error":"invalid dst parameter"}"#))
                == .permanent(ProviderErrorDetail(code: "http-400", message: "invalid dst parameter"), optedOut: false))
        #expect(
            classify(response(401, ""))
                == .permanent(
                    ProviderErrorDetail(code: "http-401", message: "plivo-main: Plivo answered HTTP 401"),
                    optedOut: false))
    }
}
