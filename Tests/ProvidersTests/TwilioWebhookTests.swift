import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct TwilioWebhookTests {
    let adapter = TwilioWebhookAdapter(channel: twilioChannel, context: testContext)

    static let smsBody =
        "ToCountry=US&SmsMessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&NumMedia=0&SmsSid=SM1f0e8ae6ade43cb3c0ce4525424e404f"
        + "&SmsStatus=received&Body=Hello+there%21&To=%2B14155550199&NumSegments=1"
        + "&MessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&AccountSid=AC0123456789abcdef0123456789abcdef"
        + "&From=%2B14155550100&ApiVersion=2010-04-01&FromCity="

    @Test func inboundSMS() throws {
        let result = try adapter.handle(twilioRequest(body: Self.smsBody), now: testNow)
        let expected = InboundMessage(
            providerMessageID: "SM1f0e8ae6ade43cb3c0ce4525424e404f", dedupeKey: "SM1f0e8ae6ade43cb3c0ce4525424e404f",
            from: "+14155550100", to: "+14155550199", text: "Hello there!", media: [], medium: .sms,
            receivedAt: testNow)
        #expect(storedEvents(result) == [.message(expected)])
        #expect(
            reply(result)
                == WebhookReply(status: 200, headers: ["Content-Type": "text/xml"], body: Array("<Response/>".utf8)))
    }

    @Test func inboundMMSWithMedia() throws {
        let body =
            "MessageSid=MM1f0e8ae6ade43cb3c0ce4525424e404f&From=%2B14155550100&To=%2B14155550199&Body=&NumMedia=2"
            + "&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2FME0&MediaContentType0=image%2Fjpeg"
            + "&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fm%2FME1&MediaContentType1=video%2Fmp4"
        guard
            case .message(let message) = storedEvents(try adapter.handle(twilioRequest(body: body), now: testNow)).first
        else {
            Issue.record("no message")
            return
        }
        #expect(message.text == "")
        #expect(
            message.media == [
                MediaAttachment(url: "https://api.twilio.com/m/ME0", contentType: "image/jpeg"),
                MediaAttachment(url: "https://api.twilio.com/m/ME1", contentType: "video/mp4"),
            ])
    }

    @Test func smsSidStandsInForMessageSid() throws {
        let body = "SmsSid=SMlegacy&From=%2B14155550100&To=%2B14155550199&Body=Hi"
        guard
            case .message(let message) = storedEvents(try adapter.handle(twilioRequest(body: body), now: testNow)).first
        else {
            Issue.record("no message")
            return
        }
        #expect(message.providerMessageID == "SMlegacy")
        #expect(message.dedupeKey == "SMlegacy")
    }

    @Test func getVariantReadsAndSignsTheQuery() throws {
        let query = "MessageSid=SMget&From=%2B14155550100&To=%2B14155550199&Body=Via+GET"
        let request = twilioRequest(method: "GET", query: query, contentType: nil)
        guard case .message(let message) = storedEvents(try adapter.handle(request, now: testNow)).first else {
            Issue.record("no message")
            return
        }
        #expect(message.text == "Via GET")
        // For GET the URL (with its query) is the whole signed string.
        let expected = TwilioSignature.compute(
            url: "https://gw.example.com/webhooks/twilio-main/inbound?" + query, parameters: FormParameters(),
            authToken: "test-auth-token")
        #expect(request.header("X-Twilio-Signature") == expected)
    }

    @Test func postQueryIsPartOfTheSignedURL() throws {
        let body = "MessageSid=SMq&From=%2B1&To=%2B2"
        let request = twilioRequest(query: "tenant=a", body: body)
        #expect(storedEvents(try adapter.handle(request, now: testNow)).count == 1)
        var moved = request
        moved.query = "tenant=b"
        #expect(thrownError { _ = try adapter.handle(moved, now: testNow) }?.code == "signature-invalid")
    }

    @Test func signatureWithDefaultPortIsAccepted() throws {
        let body = "MessageSid=SMport&From=%2B1&To=%2B2"
        let signature = TwilioSignature.compute(
            url: "https://gw.example.com:443/webhooks/twilio-main/inbound",
            parameters: try FormParameters.decode(Array(body.utf8), maxParameters: 10, what: "t"),
            authToken: "test-auth-token")
        var request = twilioRequest(body: body, sign: false)
        request.headers.append((name: "X-Twilio-Signature", value: signature))
        #expect(storedEvents(try adapter.handle(request, now: testNow)).count == 1)
    }

    @Test func statusMapping() throws {
        let table: [(String, MessageStatus)] = [
            ("queued", .queued), ("accepted", .queued), ("scheduled", .queued), ("sending", .sending),
            ("sent", .sent), ("delivered", .delivered), ("read", .delivered), ("undelivered", .undelivered),
            ("failed", .failed), ("canceled", .failed),
        ]
        for (twilioStatus, expected) in table {
            let body = "MessageSid=SMout1&MessageStatus=\(twilioStatus)&AccountSid=AC1"
            let result = try adapter.handle(twilioRequest(kind: "status", body: body), now: testNow)
            let report = DeliveryReport(
                providerMessageID: "SMout1", dedupeKey: "SMout1:\(twilioStatus)", status: expected, receivedAt: testNow)
            #expect(storedEvents(result) == [.status(report)], "\(twilioStatus)")
            #expect(reply(result).body == Array("<Response/>".utf8))
        }
    }

    @Test func errorCodeIsKept() throws {
        let body = "MessageSid=SMout2&MessageStatus=undelivered&ErrorCode=30003"
        let events = storedEvents(try adapter.handle(twilioRequest(kind: "status", body: body), now: testNow))
        guard case .status(let report) = events.first else {
            Issue.record("no report")
            return
        }
        #expect(report.status == .undelivered)
        #expect(report.error == ProviderErrorDetail(code: "30003", message: "Unreachable destination handset"))
        #expect(!report.optedOut)

        let unknown = "MessageSid=SMout3&MessageStatus=failed&ErrorCode=39999"
        guard
            case .status(let other) = storedEvents(
                try adapter.handle(twilioRequest(kind: "status", body: unknown), now: testNow)
            ).first
        else {
            Issue.record("no report")
            return
        }
        #expect(other.error == ProviderErrorDetail(code: "39999", message: "Twilio error 39999"))
    }

    @Test func optOut21610() throws {
        let body = "MessageSid=SMout4&MessageStatus=failed&ErrorCode=21610"
        guard
            case .status(let report) = storedEvents(
                try adapter.handle(twilioRequest(kind: "status", body: body), now: testNow)
            ).first
        else {
            Issue.record("no report")
            return
        }
        #expect(report.status == .optedOut)
        #expect(report.optedOut)
        #expect(report.error?.code == "21610")
        #expect(report.dedupeKey == "SMout4:failed")
    }

    @Test func statusThatSaysNothingIsAcknowledgedNotStored() throws {
        let result = try adapter.handle(
            twilioRequest(kind: "status", body: "MessageSid=SM1&MessageStatus=receiving"), now: testNow)
        #expect(isImmediate(result))
        #expect(reply(result).status == 200)
    }

    @Test func missingSignatureIs403SignatureMissing() {
        let error = thrownError { _ = try adapter.handle(twilioRequest(body: Self.smsBody, sign: false), now: testNow) }
        #expect(error?.status == 403)
        #expect(error?.code == "signature-missing")
        #expect(error?.field == "X-Twilio-Signature")
        #expect(error?.message.contains("twilio-main") == true)
    }

    @Test func forgedSignatureIs403SignatureInvalid() {
        var request = twilioRequest(body: Self.smsBody, sign: false)
        request.headers.append((name: "X-Twilio-Signature", value: "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
        let error = thrownError { _ = try adapter.handle(request, now: testNow) }
        #expect(
            error
                == SwitchboardError(
                    status: 403, code: "signature-invalid",
                    message: "twilio-main: X-Twilio-Signature does not match; check authToken and publicURL",
                    field: "X-Twilio-Signature"))
    }

    @Test func tamperedBodyOrOtherPublicURLFails() {
        var request = twilioRequest(body: Self.smsBody)
        request.body = Array(Self.smsBody.replacingOccurrences(of: "Hello", with: "Hellp").utf8)
        #expect(thrownError { _ = try adapter.handle(request, now: testNow) }?.code == "signature-invalid")

        let otherHost = twilioRequest(
            body: Self.smsBody, context: WebhookContext(publicURL: "https://other.example.com"))
        #expect(thrownError { _ = try adapter.handle(otherHost, now: testNow) }?.code == "signature-invalid")
    }

    @Test func publicURLWithPrefixAndTrailingSlash() throws {
        let context = WebhookContext(publicURL: "https://gw.example.com/sb/")
        let prefixed = TwilioWebhookAdapter(channel: twilioChannel, context: context)
        let request = twilioRequest(body: Self.smsBody, context: WebhookContext(publicURL: "https://gw.example.com/sb"))
        #expect(storedEvents(try prefixed.handle(request, now: testNow)).count == 1)
    }

    @Test func wrongContentTypeIs415() {
        let error = thrownError {
            _ = try adapter.handle(twilioRequest(body: "{}", contentType: "application/json"), now: testNow)
        }
        #expect(error?.status == 415)
        #expect(error?.code == "unsupported-media-type")
        let none = thrownError {
            _ = try adapter.handle(twilioRequest(body: Self.smsBody, contentType: nil), now: testNow)
        }
        #expect(none?.status == 415)
        // Charset parameters and case are fine.
        let withCharset = twilioRequest(
            body: Self.smsBody, contentType: "Application/x-www-form-urlencoded; charset=UTF-8")
        #expect(thrownError { _ = try adapter.handle(withCharset, now: testNow) } == nil)
    }

    @Test func malformedBodyIs400BeforeTheSignatureCheck() {
        // Unsigned on purpose: decoding is checked first (CONTRACT.md §3).
        let error = thrownError {
            _ = try adapter.handle(twilioRequest(body: "Body=%E2%28%A1&From=x", sign: false), now: testNow)
        }
        #expect(error?.status == 400)
        #expect(error?.code == "invalid-request")
        #expect(error?.field == "Body")
    }

    @Test func tooManyParametersIs400LimitExceeded() {
        let context = WebhookContext(publicURL: "https://gw.example.com", limits: .init(maxFormParams: 3))
        let small = TwilioWebhookAdapter(channel: twilioChannel, context: context)
        let error = thrownError {
            _ = try small.handle(twilioRequest(body: Self.smsBody, context: context), now: testNow)
        }
        #expect(error?.code == "limit-exceeded")
        #expect(error?.field == "maxFormParams")
    }

    @Test func missingRequiredFieldsNameTheField() {
        let cases: [(kind: String, body: String, field: String)] = [
            ("inbound", "From=%2B1&To=%2B2&Body=x", "MessageSid"),
            ("inbound", "MessageSid=&From=%2B1&To=%2B2", "MessageSid"),
            ("inbound", "MessageSid=SM1&To=%2B2", "From"),
            ("inbound", "MessageSid=SM1&From=%2B1", "To"),
            ("status", "MessageStatus=sent", "MessageSid"),
            ("status", "MessageSid=SM1", "MessageStatus"),
        ]
        for c in cases {
            let error = thrownError { _ = try adapter.handle(twilioRequest(kind: c.kind, body: c.body), now: testNow) }
            #expect(error?.status == 400, "\(c.body)")
            #expect(error?.code == "missing-field", "\(c.body)")
            #expect(error?.field == c.field, "\(c.body)")
            #expect(error?.message.contains("twilio-main") == true)
        }
    }

    @Test func unsignedRequestWithMissingFieldsIs403NotA400() {
        // Authentication comes before required fields.
        let error = thrownError { _ = try adapter.handle(twilioRequest(body: "Body=x", sign: false), now: testNow) }
        #expect(error?.code == "signature-missing")
    }

    @Test func routeAndMethodChecks() {
        let unknown = thrownError {
            _ = try adapter.handle(twilioRequest(kind: "events", body: Self.smsBody), now: testNow)
        }
        #expect(unknown?.status == 404)
        #expect(unknown?.code == "not-found")
        // Voice kinds are routes: they check their own required fields.
        let noFrom = thrownError {
            _ = try adapter.handle(twilioRequest(kind: "voice", body: "CallSid=CA1"), now: testNow)
        }
        #expect(noFrom?.field == "From")
        let noStatus = thrownError {
            _ = try adapter.handle(twilioRequest(kind: "handoff", body: "CallSid=CA1"), now: testNow)
        }
        #expect(noStatus?.field == "VirtualAgentStatus")
        let noSid = thrownError {
            _ = try adapter.handle(twilioRequest(kind: "call-status", body: "A=1"), now: testNow)
        }
        #expect(noSid?.field == "CallSid")
        let put = thrownError { _ = try adapter.handle(twilioRequest(method: "PUT", body: Self.smsBody), now: testNow) }
        #expect(put?.status == 405)
        #expect(put?.code == "method-not-allowed")
        // Route before method: an unknown kind is 404 whatever the method.
        #expect(
            thrownError { _ = try adapter.handle(twilioRequest(kind: "nope", method: "PUT"), now: testNow) }?.status
                == 404)
    }
}
