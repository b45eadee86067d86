import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct TeleSignWebhookTests {
    let adapter = TeleSignWebhookAdapter(channel: teleSignChannel, context: testContext)

    /// providers.md §6.1's example MO SMS.
    static let moSMS = """
        {"reference_id": "0123456789ABCDEF0123456789ABCDEF",
         "status": {"code": 1500, "description": "Delivered to customer", "updated_on": "2023-10-31T14:47:10.490130Z"},
         "sub_resource": "mo_sms", "errors": {}, "submit_timestamp": "2023-10-31T14:47:10.154000Z",
         "user_response": {"sender_id": "4442", "iso_country_code": "US", "action": "generic", "keyword": "",
                           "phone_number": "11234567890", "mo_message": "Hello", "price": "0.0075"}}
        """

    func inbound(_ result: WebhookResult) -> InboundMessage? {
        if case .message(let message) = storedEvents(result).first { return message }
        return nil
    }

    @Test func inboundSMS() throws {
        let result = try adapter.handle(teleSignRequest(body: Self.moSMS), now: testNow)
        #expect(reply(result).status == 200)
        let message = try #require(inbound(result))
        #expect(message.providerMessageID == "0123456789ABCDEF0123456789ABCDEF")
        #expect(message.dedupeKey == "0123456789ABCDEF0123456789ABCDEF")
        #expect(message.from == "11234567890")
        #expect(message.to == "4442")
        #expect(message.text == "Hello")
    }

    @Test func inboundMMS() throws {
        let body = """
            {"reference_id": "R2", "sub_resource": "mo_mms",
             "user_response": {"sender_id": "4442", "phone_number": "11234567890"},
             "content": {"text_1": "See", "url_image_1": "https://m.example/1.jpg", "url_video_1": "https://m.example/v.mp4"}}
            """
        let message = try #require(inbound(try adapter.handle(teleSignRequest(body: body), now: testNow)))
        #expect(message.text == "See")
        #expect(
            message.media == [
                MediaAttachment(url: "https://m.example/1.jpg", contentType: "image/*"),
                MediaAttachment(url: "https://m.example/v.mp4", contentType: "video/*"),
            ])
    }

    @Test func signatureChecks() {
        let unsigned = thrownError {
            _ = try adapter.handle(teleSignRequest(body: Self.moSMS, sign: false), now: testNow)
        }
        #expect(unsigned?.status == 403)
        #expect(unsigned?.code == "signature-missing")
        #expect(unsigned?.field == "Authorization")
        var tampered = teleSignRequest(body: Self.moSMS)
        tampered.body = Array(Self.moSMS.replacingOccurrences(of: "Hello", with: "Hallo").utf8)
        let forged = thrownError { _ = try adapter.handle(tampered, now: testNow) }
        #expect(forged?.code == "signature-invalid")
        #expect(forged?.field == "Authorization")
        var basic = teleSignRequest(body: Self.moSMS, sign: false)
        basic.headers.append((name: "Authorization", value: "Basic Zm9vOmJhcg=="))
        #expect(thrownError { _ = try adapter.handle(basic, now: testNow) }?.code == "signature-invalid")
    }

    @Test func checkOrder() {
        #expect(
            thrownError {
                _ = try adapter.handle(teleSignRequest(kind: "events", body: "{}", sign: false), now: testNow)
            }?.status == 404)
        #expect(
            thrownError { _ = try adapter.handle(teleSignRequest(method: "GET", body: "", sign: false), now: testNow) }?
                .status == 405)
        #expect(
            thrownError {
                _ = try adapter.handle(
                    teleSignRequest(body: "a=b", contentType: "application/x-www-form-urlencoded", sign: false),
                    now: testNow)
            }?.status == 415)
        #expect(
            thrownError { _ = try adapter.handle(teleSignRequest(body: "{\"a\"", sign: false), now: testNow) }?.status
                == 400)
        #expect(
            thrownError { _ = try adapter.handle(teleSignRequest(body: "{}", sign: false), now: testNow) }?.status
                == 403)
        let missing = thrownError {
            _ = try adapter.handle(teleSignRequest(kind: "status", body: #"{"status":{"code":200}}"#), now: testNow)
        }
        #expect(missing?.code == "missing-field")
        #expect(missing?.field == "reference_id")
    }

    func report(_ code: Int, description: String = "x") throws -> DeliveryReport? {
        let body =
            #"{"reference_id":"REF1","status":{"code":\#(code),"description":"\#(description)","updated_on":"2025-11-25T07:41:00Z"},"submit_timestamp":"2025-11-25T07:40:00Z"}"#
        let result = try adapter.handle(teleSignRequest(kind: "status", body: body), now: testNow)
        if case .status(let report) = storedEvents(result).first { return report }
        return nil
    }

    @Test func deliveryReports() throws {
        let delivered = try #require(try report(200, description: "Delivered to handset"))
        #expect(delivered.status == .delivered)
        #expect(delivered.providerMessageID == "REF1")
        #expect(delivered.dedupeKey == "REF1:200")
        #expect(delivered.error == nil)
        #expect(try report(203)?.status == .sent)
        #expect(try report(290)?.status == .sent)
        let failed = try #require(try report(211, description: "Permanent phone error"))
        #expect(failed.status == .undelivered)
        #expect(failed.error == ProviderErrorDetail(code: "211", message: "Permanent phone error"))
        #expect(try report(230)?.status == .failed)
        #expect(try report(250) == nil)
    }

    @Test func oneRegisteredURLServesBothKinds() throws {
        // TeleSign posts MO messages and delivery reports to the same callback URL.
        let onStatus = try adapter.handle(teleSignRequest(kind: "status", body: Self.moSMS), now: testNow)
        #expect(inbound(onStatus)?.text == "Hello")
        let reportBody = #"{"reference_id":"REF9","status":{"code":200,"description":"Delivered to handset"}}"#
        let onInbound = try adapter.handle(teleSignRequest(kind: "inbound", body: reportBody), now: testNow)
        guard case .status(let report) = storedEvents(onInbound).first else {
            Issue.record("a delivery report on inbound is still a report")
            return
        }
        #expect(report.status == .delivered)
    }

    @Test func optedOutStatus() throws {
        let blocked = try #require(try report(510, description: "Message blocked by subscriber action or request"))
        #expect(blocked.optedOut)
        #expect(blocked.status == .optedOut)
        #expect(blocked.error?.code == "510")
    }

    @Test func registry() throws {
        #expect(ProviderRegistry.isSupported(.telesign))
        #expect(ProviderRegistry.deliveryReportKind(for: .telesign) == nil)
        try ProviderRegistry.validate(teleSignChannel)
        var bad = teleSignChannel
        bad.credentials["customerID"] = nil
        #expect(thrownError { try ProviderRegistry.validate(bad) }?.field == "credentials.customerID")
    }
}
