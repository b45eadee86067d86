import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct AzureSMSAPITests {
    let message = OutboundMessage(
        messageID: "msg-1", channelID: "acs-main", from: nil, to: "+14155550100", text: "Hello \"world\" 😀",
        idempotencyKey: "fda6d242-46aa-4247-8bf6-619a1206f9c3", firstQueuedAt: utcDate(2019, 4, 1, 6, 22, 3),
        statusCallbackURL: nil)
    let now = utcDate(2022, 4, 13, 18, 9, 12)

    func classify(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> SendOutcome {
        AzureSMSAPI.classify(
            .success(CurlResponse(status: status, headers: headers, body: Array(body.utf8))), channelID: "acs-main")
    }

    @Test func requestBuildingAndSignature() throws {
        let request = try AzureSMSAPI.request(for: message, channel: acsChannel, now: now)
        #expect(request.method == "POST")
        #expect(request.url == "https://contoso.communication.azure.com/sms?api-version=2021-03-07")
        #expect(request.headers.value("Content-Type") == "application/json")
        #expect(request.headers.value("Host") == "contoso.communication.azure.com")
        #expect(request.headers.value("x-ms-date") == "Wed, 13 Apr 2022 18:09:12 GMT")
        let hash = AzureHMACSigner.contentHash(request.body)
        #expect(request.headers.value("x-ms-content-sha256") == hash)

        // Verify the signature independently: HMAC-SHA256 over the documented string-to-sign.
        let signer = try #require(AzureHMACSigner(accessKey: "c2VjcmV0LWFjY2Vzcy1rZXk="))
        let stringToSign =
            "POST\n/sms?api-version=2021-03-07\nWed, 13 Apr 2022 18:09:12 GMT;contoso.communication.azure.com;\(hash)"
        #expect(
            request.headers.value("Authorization")
                == "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=\(signer.computeHMAC(stringToSign))"
        )

        let body = try JSONValue.parse(request.body, maxDepth: 8, what: "t")
        #expect(
            body
                == .object([
                    "from": .string("+18005550100"),
                    "smsRecipients": .array([
                        .object([
                            "to": .string("+14155550100"),
                            "repeatabilityRequestId": .string("fda6d242-46aa-4247-8bf6-619a1206f9c3"),
                            "repeatabilityFirstSent": .string("Mon, 01 Apr 2019 06:22:03 GMT"),
                        ])
                    ]),
                    "message": .string("Hello \"world\" 😀"),
                    "smsSendOptions": .object(["enableDeliveryReport": .bool(true)]),
                ]))
    }

    @Test func apiBaseURLWithPortAndPrefixIsSignedAsSent() throws {
        var channel = acsChannel
        channel.apiBaseURL = "http://127.0.0.1:8089/fake-acs/"
        let request = try AzureSMSAPI.request(for: message, channel: channel, now: now)
        #expect(request.url == "http://127.0.0.1:8089/fake-acs/sms?api-version=2021-03-07")
        #expect(request.headers.value("Host") == "127.0.0.1:8089")
        let signer = try #require(AzureHMACSigner(accessKey: "c2VjcmV0LWFjY2Vzcy1rZXk="))
        let stringToSign =
            "POST\n/fake-acs/sms?api-version=2021-03-07\nWed, 13 Apr 2022 18:09:12 GMT;127.0.0.1:8089;"
            + AzureHMACSigner.contentHash(request.body)
        #expect(
            request.headers.value("Authorization")?.hasSuffix("Signature=" + signer.computeHMAC(stringToSign)) == true)
    }

    @Test func unusableChannelsFailToBuild() {
        var noNumber = acsChannel
        noNumber.numbers = []
        #expect(throws: SendRequestError.self) { try AzureSMSAPI.request(for: message, channel: noNumber, now: now) }
        var badKey = acsChannel
        badKey.credentials["accessKey"] = "%%%"
        #expect(throws: SendRequestError.self) { try AzureSMSAPI.request(for: message, channel: badKey, now: now) }
    }

    @Test func classification() {
        let accepted =
            #"{"value": [{"to": "+14155550100", "messageId": "Outgoing_1", "httpStatusCode": 202, "repeatabilityResult": "accepted", "successful": true}]}"#
        #expect(classify(202, accepted) == .accepted(providerMessageID: "Outgoing_1"))

        let refused =
            #"{"value": [{"to": "+1", "httpStatusCode": 400, "errorMessage": "Invalid To phone number format.", "successful": false}]}"#
        #expect(
            classify(202, refused)
                == .permanent(
                    ProviderErrorDetail(code: "400", message: "Invalid To phone number format."), optedOut: false))

        let busy = #"{"value": [{"to": "+1", "httpStatusCode": 503, "errorMessage": "Busy", "successful": false}]}"#
        #expect(classify(202, busy) == .retryLater(ProviderErrorDetail(code: "503", message: "Busy"), retryAfter: nil))

        guard case .permanent(let unexpected, optedOut: false) = classify(202, "{}") else {
            Issue.record("202 without value must be permanent")
            return
        }
        #expect(unexpected.code == "unexpected-response")

        let denied = #"{"error": {"code": "Denied", "message": "Denied by the resource provider."}}"#
        #expect(
            classify(401, denied)
                == .permanent(
                    ProviderErrorDetail(code: "Denied", message: "Denied by the resource provider."), optedOut: false))
        #expect(
            classify(400, "")
                == .permanent(
                    ProviderErrorDetail(code: "http-400", message: "acs-main: ACS answered HTTP 400"), optedOut: false))

        #expect(
            classify(429, "", headers: [(name: "Retry-After", value: "12")])
                == .retryLater(
                    ProviderErrorDetail(code: "http-429", message: "acs-main: ACS answered HTTP 429"), retryAfter: 12))
        for status in [500, 502, 503] {
            guard case .retryLater = classify(status, "") else {
                Issue.record("\(status) must be retried")
                continue
            }
        }
        for kind in [CurlError.Kind.connectFailed, .timedOut] {
            let outcome = AzureSMSAPI.classify(
                .failure(CurlError(kind: kind, code: 28, message: "Timeout")), channelID: "acs-main")
            guard case .retryLater = outcome else {
                Issue.record("\(kind) must be retried")
                continue
            }
        }
    }
}
