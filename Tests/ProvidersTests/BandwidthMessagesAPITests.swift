import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

/// The pure parts of the send path: the requests built, and what answers mean for the outbox.
@Suite struct BandwidthMessagesAPITests {
    let message = OutboundMessage(
        messageID: "msg-1", channelID: "bandwidth-main", from: nil, to: "+19195550100", text: "Hi & \"welcome\" 😀",
        idempotencyKey: "key-1", firstQueuedAt: testNow,
        statusCallbackURL: "https://gw.example.com/webhooks/bandwidth-main/events")

    func response(
        _ status: Int, _ body: String, headers: [(name: String, value: String)] = []
    ) -> Result<CurlResponse, CurlError> {
        .success(CurlResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    func classify(_ result: Result<CurlResponse, CurlError>) -> SendOutcome {
        BandwidthMessagesAPI.classify(result, channelID: "bandwidth-main")
    }

    @Test func sendRequest() throws {
        let request = try BandwidthMessagesAPI.request(for: message, channel: bandwidthChannel, token: "tok-1")
        #expect(request.method == "POST")
        #expect(request.url == "https://messaging.bandwidth.com/api/v2/users/9900000/messages")
        #expect(request.headers.value("Authorization") == "Bearer tok-1")
        #expect(request.headers.value("Content-Type") == "application/json")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"applicationId":"app-123","from":"+19195550199","text":"Hi & \"welcome\" 😀","to":["+19195550100"]}"#
        )
    }

    @Test func apiBaseURLAndSender() throws {
        var channel = bandwidthChannel
        channel.apiBaseURL = "http://127.0.0.1:9099/"
        var withSender = message
        withSender.from = "+19195550155"
        let request = try BandwidthMessagesAPI.request(for: withSender, channel: channel, token: "t")
        #expect(request.url == "http://127.0.0.1:9099/users/9900000/messages")
        #expect(try JSONValue.parse(request.body, maxDepth: 4, what: "t")["from"] == .string("+19195550155"))
        #expect(BandwidthTokenGrant.request(channel: channel).url == "http://127.0.0.1:9099/api/v1/oauth2/token")

        channel.numbers = []
        #expect(throws: SendRequestError.self) {
            try BandwidthMessagesAPI.request(for: message, channel: channel, token: "t")
        }
    }

    @Test func tokenRequest() {
        let request = BandwidthTokenGrant.request(channel: bandwidthChannel)
        #expect(request.method == "POST")
        #expect(request.url == "https://api.bandwidth.com/api/v1/oauth2/token")
        // base64("client-abc:client-s3cret")
        #expect(request.headers.value("Authorization") == "Basic Y2xpZW50LWFiYzpjbGllbnQtczNjcmV0")
        #expect(request.headers.value("Content-Type") == "application/x-www-form-urlencoded")
        #expect(String(decoding: request.body, as: UTF8.self) == "grant_type=client_credentials")
    }

    @Test func tokenAnswers() {
        func result(_ status: Int, _ body: String) -> BandwidthTokenResult {
            BandwidthTokenGrant.result(response(status, body), channelID: "bandwidth-main", now: testNow)
        }
        #expect(
            result(200, #"{"access_token":"abc","token_type":"Bearer","expires_in":3600}"#)
                == .token(BandwidthAccessToken(value: "abc", refreshAt: testNow + 3540)))
        #expect(
            result(200, #"{"access_token":"abc","expires_in":"60"}"#)
                == .token(BandwidthAccessToken(value: "abc", refreshAt: testNow + 30)))
        #expect(
            result(200, #"{"access_token":"abc"}"#)
                == .token(BandwidthAccessToken(value: "abc", refreshAt: testNow + 3540)))
        guard case .failed(.permanent(let refused, false)) = result(401, #"{"error":"invalid_client"}"#) else {
            Issue.record("refused client credentials are permanent")
            return
        }
        #expect(refused.code == "oauth2-http-401")
        #expect(refused.message.contains("invalid_client"))
        #expect(!refused.message.contains("client-s3cret"))
        guard case .failed(.permanent(let empty, false)) = result(200, "{}") else {
            Issue.record("a 200 without a token is not a token")
            return
        }
        #expect(empty.code == "oauth2-http-200")
        guard
            case .failed(.retryLater(_, 3)) = BandwidthTokenGrant.result(
                response(503, "", headers: [(name: "Retry-After", value: "3")]), channelID: "bandwidth-main",
                now: testNow)
        else {
            Issue.record("a 503 from the token endpoint is retried")
            return
        }
        let refusedConnection = BandwidthTokenGrant.result(
            .failure(CurlError(kind: .connectFailed, code: 7, message: "refused")), channelID: "bandwidth-main",
            now: testNow)
        guard case .failed(.retryLater) = refusedConnection else {
            Issue.record("connection errors are retried: \(refusedConnection)")
            return
        }
    }

    @Test func accepted() {
        #expect(
            classify(response(202, #"{"id":"1589228074636lm4k2je7j7jklbn2","owner":"+19195550199"}"#))
                == .accepted(providerMessageID: "1589228074636lm4k2je7j7jklbn2"))
        guard case .permanent(let detail, false) = classify(response(202, "{}")) else {
            Issue.record("a 202 without id must not be retried")
            return
        }
        #expect(detail.code == "unexpected-response")
    }

    @Test func retryLater() {
        #expect(
            classify(
                response(
                    429, #"{"type":"too-many-requests","description":"Slow down"}"#,
                    headers: [(name: "Retry-After", value: "7")]))
                == .retryLater(ProviderErrorDetail(code: "too-many-requests", message: "Slow down"), retryAfter: 7))
        #expect(
            classify(response(500, "oops"))
                == .retryLater(
                    ProviderErrorDetail(code: "http-500", message: "bandwidth-main: Bandwidth answered HTTP 500"),
                    retryAfter: nil))
        guard case .retryLater(let detail, nil) = classify(.failure(CurlError(kind: .timedOut, code: 28, message: "t")))
        else {
            Issue.record("timeouts are retried")
            return
        }
        #expect(detail.code == "timeout")
    }

    @Test func permanent() {
        #expect(
            classify(
                response(400, #"{"type":"request-validation","description":"Your request could not be accepted"}"#))
                == .permanent(
                    ProviderErrorDetail(code: "request-validation", message: "Your request could not be accepted"),
                    optedOut: false))
        #expect(
            classify(response(403, #"{"type":"forbidden","description":"Access Denied"}"#))
                == .permanent(ProviderErrorDetail(code: "forbidden", message: "Access Denied"), optedOut: false))
    }
}
