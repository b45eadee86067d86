import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct VonageSMSAPITests {
    let message = OutboundMessage(
        messageID: "msg-1", channelID: "vonage-main", from: nil, to: "+447700900001", text: "Hi & welcome",
        idempotencyKey: "key-1", firstQueuedAt: testNow,
        statusCallbackURL: "https://gw.example.com/webhooks/vonage-main/status")

    func response(_ status: Int, _ body: String) -> Result<CurlResponse, CurlError> {
        .success(CurlResponse(status: status, headers: [], body: Array(body.utf8)))
    }

    func classify(_ result: Result<CurlResponse, CurlError>) -> SendOutcome {
        VonageSMSAPI.classify(result, channelID: "vonage-main")
    }

    @Test func requestBuilding() throws {
        let request = VonageSMSAPI.request(for: message, channel: vonageChannel)
        #expect(request.method == "POST")
        #expect(request.url == "https://rest.nexmo.com/sms/json")
        #expect(request.headers.value("Content-Type") == "application/x-www-form-urlencoded")
        let form = try FormParameters.decode(request.body, maxParameters: 20, what: "t")
        #expect(
            form.pairs == [
                .init(name: "api_key", value: "abcd1234"), .init(name: "api_secret", value: "api-secret"),
                .init(name: "from", value: "447700900000"), .init(name: "to", value: "447700900001"),
                .init(name: "text", value: "Hi & welcome"),
                .init(name: "callback", value: "https://gw.example.com/webhooks/vonage-main/status"),
                .init(name: "status-report-req", value: "1"), .init(name: "client-ref", value: "msg-1"),
            ])
    }

    @Test func unicodeSenderIdAndBaseURL() throws {
        var channel = vonageChannel
        channel.apiBaseURL = "http://127.0.0.1:9099/"
        var unicode = message
        unicode.text = "Grüße 😀"
        unicode.from = "AcmeInc"
        unicode.statusCallbackURL = nil
        let request = VonageSMSAPI.request(for: unicode, channel: channel)
        #expect(request.url == "http://127.0.0.1:9099/sms/json")
        let form = try FormParameters.decode(request.body, maxParameters: 20, what: "t")
        #expect(form.first("type") == "unicode")
        #expect(form.first("from") == "AcmeInc")
        #expect(form.first("callback") == nil)
        #expect(form.first("status-report-req") == nil)
        #expect(VonageSMSAPI.isGSM7("Ça coute 5€ [ok]? @home_"))
        #expect(!VonageSMSAPI.isGSM7("ça"))
    }

    @Test func accepted() {
        let body = #"""
            {"message-count": "1", "messages": [{"to": "447700900000", "message-id": "0C000000217B7F02",
             "status": "0", "remaining-balance": "15.53590000", "message-price": "0.03330000", "network": "23410"}]}
            """#
        #expect(classify(response(200, body)) == .accepted(providerMessageID: "0C000000217B7F02"))
    }

    @Test func errorsInsideA200() {
        let barred = classify(
            response(200, #"{"message-count": "1", "messages": [{"status": "7", "error-text": "Number barred."}]}"#))
        #expect(barred == .permanent(ProviderErrorDetail(code: "7", message: "Number barred."), optedOut: true))
        let throttled = classify(response(200, #"{"messages": [{"status": "1"}]}"#))
        #expect(throttled == .retryLater(ProviderErrorDetail(code: "1", message: "Throttled"), retryAfter: nil))
        let credentials = classify(response(200, #"{"messages": [{"status": "4", "error-text": "Bad Credentials"}]}"#))
        #expect(credentials == .permanent(ProviderErrorDetail(code: "4", message: "Bad Credentials"), optedOut: false))
        if case .permanent(let detail, false) = classify(response(200, "{}")) {
            #expect(detail.code == "unexpected-response")
        } else {
            Issue.record("a 200 without messages must fail permanently")
        }
        if case .permanent(let detail, false) = classify(response(200, #"{"messages": [{"status": "0"}]}"#)) {
            #expect(detail.code == "unexpected-response")
        } else {
            Issue.record("an accepted message without an id must fail permanently")
        }
    }

    @Test func httpErrors() {
        if case .retryLater = classify(response(503, "")) {} else { Issue.record("503 must be retried") }
        if case .retryLater = classify(response(429, "")) {} else { Issue.record("429 must be retried") }
        if case .permanent(let detail, false) = classify(response(401, "")) {
            #expect(detail.code == "http-401")
        } else {
            Issue.record("401 is permanent")
        }
        if case .retryLater(let detail, _) = classify(
            .failure(CurlError(kind: .connectFailed, code: 7, message: "refused")))
        {
            #expect(detail.code == "connection")
        } else {
            Issue.record("connection failures are retried")
        }
    }
}
