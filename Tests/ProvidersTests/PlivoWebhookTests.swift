import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct PlivoWebhookTests {
    let adapter = PlivoWebhookAdapter(channel: plivoChannel, context: testContext)

    static let inboundBody =
        "From=14155550100&To=14155550199&Text=Hello+there%21&Type=sms&MessageUUID=3e8e6b6a-0c1d-11ee-9a3c-0242ac120002&Units=1&TotalRate=0.00000&TotalAmount=0.00000&MessageIntent=&PowerpackUUID="

    func inbound(_ result: WebhookResult) -> InboundMessage? {
        if case .message(let message) = storedEvents(result).first { return message }
        return nil
    }

    @Test func inboundSMS() throws {
        let result = try adapter.handle(plivoRequest(body: Self.inboundBody), now: testNow)
        #expect(reply(result) == PlivoWebhookAdapter.emptyResponse)
        #expect(reply(result).headers["Content-Type"] == "application/xml")
        #expect(String(decoding: reply(result).body, as: UTF8.self) == "<Response/>")
        let message = try #require(inbound(result))
        #expect(message.providerMessageID == "3e8e6b6a-0c1d-11ee-9a3c-0242ac120002")
        #expect(message.dedupeKey == "3e8e6b6a-0c1d-11ee-9a3c-0242ac120002")
        #expect(message.from == "14155550100")
        #expect(message.to == "14155550199")
        #expect(message.text == "Hello there!")
        #expect(message.media.isEmpty)
    }

    @Test func inboundMMSMedia() throws {
        let body =
            "From=14155550100&To=14155550199&Body=Look&Type=mms&MessageUUID=u-2&MediaCount=2&Media1=https%3A%2F%2Fmedia.plivo.example%2F1.jpg&Media2=https%3A%2F%2Fmedia.plivo.example%2F2.png"
        let message = try #require(inbound(try adapter.handle(plivoRequest(body: body), now: testNow)))
        #expect(message.text == "Look")
        #expect(
            message.media == [
                MediaAttachment(url: "https://media.plivo.example/1.jpg", contentType: "application/octet-stream"),
                MediaAttachment(url: "https://media.plivo.example/2.png", contentType: "application/octet-stream"),
            ])
    }

    @Test func getCarriesTheParametersInTheSignedQuery() throws {
        let query = "From=14155550100&To=14155550199&Text=Hi&MessageUUID=u-get"
        let result = try adapter.handle(plivoRequest(method: "GET", query: query, contentType: nil), now: testNow)
        #expect(inbound(result)?.text == "Hi")
        var tampered = plivoRequest(method: "GET", query: query, contentType: nil)
        tampered.query = query.replacingOccurrences(of: "Hi", with: "Ho")
        #expect(thrownError { _ = try adapter.handle(tampered, now: testNow) }?.code == "signature-invalid")
    }

    @Test func signatureChecks() {
        let unsigned = thrownError {
            _ = try adapter.handle(plivoRequest(body: Self.inboundBody, sign: false), now: testNow)
        }
        #expect(unsigned?.status == 403)
        #expect(unsigned?.code == "signature-missing")
        #expect(unsigned?.field == "X-Plivo-Signature-V3")

        var noNonce = plivoRequest(body: Self.inboundBody)
        noNonce.headers.removeAll { $0.name == PlivoSignature.nonceHeader }
        let missingNonce = thrownError { _ = try adapter.handle(noNonce, now: testNow) }
        #expect(missingNonce?.code == "signature-missing")
        #expect(missingNonce?.field == "X-Plivo-Signature-V3-Nonce")

        var tampered = plivoRequest(body: Self.inboundBody)
        tampered.body = Array(Self.inboundBody.replacingOccurrences(of: "Hello", with: "Jello").utf8)
        let forged = thrownError { _ = try adapter.handle(tampered, now: testNow) }
        #expect(forged?.status == 403)
        #expect(forged?.code == "signature-invalid")
        #expect(forged?.field == "X-Plivo-Signature-V3")

        let otherURL = PlivoWebhookAdapter(
            channel: plivoChannel, context: WebhookContext(publicURL: "https://other.example.com"))
        #expect(
            thrownError { _ = try otherURL.handle(plivoRequest(body: Self.inboundBody), now: testNow) }?.code
                == "signature-invalid")
    }

    @Test func checkOrder() {
        #expect(
            thrownError { _ = try adapter.handle(plivoRequest(kind: "events", sign: false), now: testNow) }?.status
                == 404)
        #expect(
            thrownError { _ = try adapter.handle(plivoRequest(method: "PUT", sign: false), now: testNow) }?.status
                == 405)
        #expect(
            thrownError {
                _ = try adapter.handle(
                    plivoRequest(body: "{}", contentType: "application/json", sign: false), now: testNow)
            }?.status == 415)
        let malformed = thrownError {
            _ = try adapter.handle(plivoRequest(body: "From=%ZZ", sign: false), now: testNow)
        }
        #expect(malformed?.status == 400)
        // Missing fields are only reported for a signed request.
        #expect(
            thrownError { _ = try adapter.handle(plivoRequest(body: "From=1", sign: false), now: testNow) }?.status
                == 403)
    }

    @Test func requiredFields() {
        func field(_ kind: String, _ body: String) -> String? {
            thrownError { _ = try adapter.handle(plivoRequest(kind: kind, body: body), now: testNow) }?.field
        }
        #expect(field("inbound", "From=1&To=2&Text=x") == "MessageUUID")
        #expect(field("inbound", "MessageUUID=u&To=2") == "From")
        #expect(field("inbound", "MessageUUID=u&From=1") == "To")
        #expect(field("status", "Status=sent") == "MessageUUID")
        #expect(field("status", "MessageUUID=u") == "Status")
    }

    func report(_ status: String, errorCode: String? = nil) throws -> DeliveryReport? {
        var body = "MessageUUID=out-1&Status=\(status)&From=14155550199&To=14155550100&Units=1"
        if let errorCode { body += "&ErrorCode=\(errorCode)" }
        let result = try adapter.handle(plivoRequest(kind: "status", body: body), now: testNow)
        #expect(reply(result) == PlivoWebhookAdapter.emptyResponse)
        if case .status(let report) = storedEvents(result).first { return report }
        return nil
    }

    @Test func statusMapping() throws {
        let cases: [(String, MessageStatus)] = [
            ("queued", .queued), ("sent", .sent), ("delivered", .delivered), ("undelivered", .undelivered),
            ("failed", .failed), ("rejected", .failed),
        ]
        for (plivo, expected) in cases {
            let report = try #require(try report(plivo))
            #expect(report.status == expected)
            #expect(report.providerMessageID == "out-1")
            #expect(report.dedupeKey == "out-1:\(plivo)")
            #expect(report.error == nil)
        }
        #expect(try report("delivered", errorCode: "000")?.error == nil)
        #expect(try report("received") == nil)
        let failed = try #require(try report("undelivered", errorCode: "30"))
        #expect(failed.error == ProviderErrorDetail(code: "30", message: "Plivo error 30"))
        #expect(!failed.optedOut)
    }

    @Test func stopBlockIsOptOut() throws {
        let blocked = try #require(try report("failed", errorCode: "200"))
        #expect(blocked.optedOut)
        #expect(blocked.status == .optedOut)
        #expect(blocked.error?.code == "200")
    }

    @Test func registry() throws {
        #expect(ProviderRegistry.isSupported(.plivo))
        #expect(ProviderRegistry.deliveryReportKind(for: .plivo) == "status")
        try ProviderRegistry.validate(plivoChannel)
        var bad = plivoChannel
        bad.credentials["authToken"] = ""
        #expect(thrownError { try ProviderRegistry.validate(bad) }?.field == "credentials.authToken")
    }
}
