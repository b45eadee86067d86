import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct TeleSignMessagingAPITests {
    func response(
        _ status: Int, _ body: String, headers: [(name: String, value: String)] = []
    ) -> Result<CurlResponse, CurlError> {
        .success(CurlResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    func classify(_ result: Result<CurlResponse, CurlError>) -> SendOutcome {
        TeleSignMessagingAPI.classify(result, channelID: "telesign-main")
    }

    @Test func requestBuilding() throws {
        var channel = teleSignChannel
        channel.apiBaseURL = "http://127.0.0.1:9099/"
        let request = TeleSignMessagingAPI.request(for: OutboundMessageFixture.message, channel: channel)
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:9099/v1/messaging")
        #expect(request.headers.value("Content-Type") == "application/x-www-form-urlencoded")
        let form = try FormParameters.decode(request.body, maxParameters: 10, what: "t")
        #expect(
            form.pairs == [
                .init(name: "phone_number", value: "14155550100"), .init(name: "message", value: "Hi & welcome 😀"),
                .init(name: "message_type", value: "ARN"), .init(name: "external_id", value: "msg-1"),
            ])
        #expect(
            TeleSignMessagingAPI.request(for: OutboundMessageFixture.message, channel: teleSignChannel).url
                == "https://rest-api.telesign.com/v1/messaging")
    }

    @Test func accepted() {
        #expect(
            classify(
                response(
                    200,
                    #"{"reference_id": "0123456789ABCDEF0123456789ABCDEF", "status": {"code": 290, "description": "Message in progress"}}"#
                )) == .accepted(providerMessageID: "0123456789ABCDEF0123456789ABCDEF"))
    }

    @Test func retryLaterAndPermanent() {
        #expect(
            classify(
                response(
                    429, #"{"status":{"code":10019,"description":"Rate limit"}}"#,
                    headers: [(name: "Retry-After", value: "2")]))
                == .retryLater(ProviderErrorDetail(code: "10019", message: "Rate limit"), retryAfter: 2))
        guard case .retryLater = classify(response(502, "")) else {
            Issue.record("5xx is retried")
            return
        }
        #expect(
            classify(
                response(
                    400,
                    #"{"reference_id":"R","status":{"code":11000,"description":"Invalid value"},"errors":[{"code":-10001,"description":"Invalid Request: PhoneNumber Parameter: 1"}]}"#
                ))
                == .permanent(
                    ProviderErrorDetail(code: "-10001", message: "Invalid Request: PhoneNumber Parameter: 1"),
                    optedOut: false))
        #expect(
            classify(response(401, #"{"errors":[{"code":-30006,"description":"Invalid Signature."}]}"#))
                == .permanent(ProviderErrorDetail(code: "-30006", message: "Invalid Signature."), optedOut: false))
    }
}
