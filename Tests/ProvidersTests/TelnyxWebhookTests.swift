import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct TelnyxWebhookTests {
    let adapter = TelnyxWebhookAdapter(channel: telnyxChannel, context: testContext)

    static let inboundPayload =
        #""id":"msg-in-1","direction":"inbound","type":"MMS","from":{"phone_number":"+13125550100"},"to":[{"phone_number":"+13125550199","status":"webhook_delivered"}],"text":"Photo attached","media":[{"url":"https://media.telnyx.example/1.jpg","content_type":"image/jpeg","size":1234},{"url":"https://media.telnyx.example/2.png","content_type":"image/png"}]"#

    @Test func inboundMessageWithMedia() throws {
        let result = try adapter.handle(
            telnyxRequest(telnyxEvent("message.received", payload: Self.inboundPayload)), now: testNow)
        #expect(reply(result).status == 200)
        guard case .message(let message) = storedEvents(result).first else {
            Issue.record("no message")
            return
        }
        #expect(message.providerMessageID == "msg-in-1")
        #expect(message.dedupeKey == "evt-1")
        #expect(message.from == "+13125550100")
        #expect(message.to == "+13125550199")
        #expect(message.text == "Photo attached")
        #expect(
            message.media == [
                MediaAttachment(url: "https://media.telnyx.example/1.jpg", contentType: "image/jpeg"),
                MediaAttachment(url: "https://media.telnyx.example/2.png", contentType: "image/png"),
            ])
        #expect(message.receivedAt == utcDate(2025, 11, 25, 7, 41, 0))
    }

    @Test func derivedVectorIsAcceptedWithinItsWindow() throws {
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: "application/json")]
        headers.append((name: "telnyx-timestamp", value: "1700000000"))
        headers.append((name: "Telnyx-Signature-Ed25519", value: TelnyxSignatureTests.vectorSignature))
        let request = WebhookRequest(
            method: "POST", kind: "events", query: "", headers: headers,
            body: Array(TelnyxSignatureTests.vectorBody.utf8))
        let result = try adapter.handle(request, now: Date(timeIntervalSince1970: 1_700_000_120))
        guard case .message(let message) = storedEvents(result).first else {
            Issue.record("no message")
            return
        }
        #expect(message.dedupeKey == "b301ed3f-1490-491f-995f-6e64e69674d4")
        #expect(message.providerMessageID == "84cca175-9755-4859-b67f-4730d7f58aa3")
        #expect(message.text == "Hello")
        #expect(message.replayGuard?.outsideWindow == false)
        // 301 s later it is a replay: marked for the store, which refuses it unless the event is already stored.
        let stale = try replayGuard(of: adapter.handle(request, now: Date(timeIntervalSince1970: 1_700_000_301)))
        #expect(stale?.outsideWindow == true)
        #expect(stale?.timestampRefusal(channelID: "telnyx-main").code == "timestamp-outside-window")
        #expect(stale?.timestampRefusal(channelID: "telnyx-main").field == "telnyx-timestamp")
        // Ahead of our clock by more than the window too.
        let early = try replayGuard(of: adapter.handle(request, now: Date(timeIntervalSince1970: 1_699_999_600)))
        #expect(early?.outsideWindow == true)
    }

    private func replayGuard(of result: WebhookResult) -> ReplayGuard? {
        guard case .message(let message) = storedEvents(result).first else { return nil }
        return message.replayGuard
    }

    @Test func replayWindowSecondsIsHonoured() throws {
        var channel = telnyxChannel
        channel.replayWindowSeconds = 30
        let adapter = TelnyxWebhookAdapter(channel: channel, context: testContext)
        let body = telnyxEvent("message.received", payload: Self.inboundPayload)
        let request = telnyxRequest(body, signedAt: testNow.addingTimeInterval(-31))
        #expect(try replayGuard(of: adapter.handle(request, now: testNow))?.outsideWindow == true)
        let fresh = try adapter.handle(telnyxRequest(body, signedAt: testNow.addingTimeInterval(-29)), now: testNow)
        #expect(replayGuard(of: fresh)?.outsideWindow == false)
    }

    @Test func signatureChecks() {
        let body = telnyxEvent("message.received", payload: Self.inboundPayload)
        let unsigned = thrownError { _ = try adapter.handle(telnyxRequest(body, sign: false), now: testNow) }
        #expect(unsigned?.status == 403)
        #expect(unsigned?.code == "signature-missing")
        #expect(unsigned?.field == "telnyx-signature-ed25519")

        var noTimestamp = telnyxRequest(body)
        noTimestamp.headers.removeAll { $0.name == "telnyx-timestamp" }
        let missing = thrownError { _ = try adapter.handle(noTimestamp, now: testNow) }
        #expect(missing?.code == "signature-missing")
        #expect(missing?.field == "telnyx-timestamp")

        var tampered = telnyxRequest(body)
        tampered.body = Array(body.replacingOccurrences(of: "Photo", with: "Fhoto").utf8)
        let forged = thrownError { _ = try adapter.handle(tampered, now: testNow) }
        #expect(forged?.status == 403)
        #expect(forged?.code == "signature-invalid")
        #expect(forged?.field == "telnyx-signature-ed25519")

        // A forged request with a stale timestamp is a forgery first.
        var staleForged = telnyxRequest(body, signedAt: testNow.addingTimeInterval(-3600))
        staleForged.body = tampered.body
        #expect(thrownError { _ = try adapter.handle(staleForged, now: testNow) }?.code == "signature-invalid")

        var otherKey = telnyxChannel
        otherKey.credentials["publicKey"] = "EHTuYhOz/q6uUR7Dp0nzzob6pf0WG0uw0uME6DkinAY="
        let wrongKey = TelnyxWebhookAdapter(channel: otherKey, context: testContext)
        #expect(thrownError { _ = try wrongKey.handle(telnyxRequest(body), now: testNow) }?.code == "signature-invalid")
    }

    @Test func checkOrder() {
        // Route, then method, then content type and JSON, all before the signature.
        #expect(
            thrownError { _ = try adapter.handle(telnyxRequest("{}", sign: false, kind: "inbound"), now: testNow) }?
                .status == 404)
        #expect(
            thrownError { _ = try adapter.handle(telnyxRequest("{}", method: "GET", sign: false), now: testNow) }?
                .status == 405)
        let type = thrownError {
            _ = try adapter.handle(telnyxRequest("{}", contentType: "text/plain", sign: false), now: testNow)
        }
        #expect(type?.status == 415)
        let malformed = thrownError { _ = try adapter.handle(telnyxRequest("{\"data\":", sign: false), now: testNow) }
        #expect(malformed?.status == 400)
        #expect(malformed?.code == "invalid-request")
        // Required fields only after a valid signature.
        #expect(thrownError { _ = try adapter.handle(telnyxRequest("{}", sign: false), now: testNow) }?.status == 403)
    }

    @Test func requiredFields() {
        func field(_ body: String) -> String? {
            thrownError { _ = try adapter.handle(telnyxRequest(body), now: testNow) }?.field
        }
        #expect(field(#"{"data":{"event_type":"message.received","payload":{"id":"m"}}}"#) == "data.id")
        #expect(field(#"{"data":{"id":"e","payload":{"id":"m"}}}"#) == "data.event_type")
        #expect(field(#"{"data":{"id":"e","event_type":"message.finalized","payload":{}}}"#) == "data.payload.id")
        #expect(
            field(telnyxEvent("message.received", payload: #""id":"m","to":[{"phone_number":"+1"}]"#))
                == "data.payload.from.phone_number")
    }

    @Test func otherEventTypesAreAcknowledgedNotStored() throws {
        let result = try adapter.handle(
            telnyxRequest(#"{"data":{"id":"e","event_type":"call.initiated","payload":{}}}"#), now: testNow)
        #expect(isImmediate(result))
        #expect(reply(result).status == 200)
    }

    func report(_ type: String, status: String, errors: String = "[]", id: String = "evt-2") throws -> DeliveryReport? {
        let payload =
            #""id":"msg-out-1","direction":"outbound","to":[{"phone_number":"+13125550100","status":"\#(status)"}],"errors":\#(errors)"#
        let result = try adapter.handle(telnyxRequest(telnyxEvent(type, id: id, payload: payload)), now: testNow)
        if case .status(let report) = storedEvents(result).first { return report }
        return nil
    }

    @Test func deliveryReports() throws {
        let sent = try #require(try report("message.sent", status: "sent"))
        #expect(sent.status == .sent)
        #expect(sent.providerMessageID == "msg-out-1")
        #expect(sent.dedupeKey == "evt-2")
        #expect(try report("message.finalized", status: "delivered")?.status == .delivered)
        #expect(try report("message.finalized", status: "sending_failed")?.status == .failed)
        let failed = try #require(
            try report(
                "message.finalized", status: "delivery_failed",
                errors: #"[{"code":"40001","title":"Not routable","detail":"The destination is not routable"}]"#))
        #expect(failed.status == .undelivered)
        #expect(failed.error == ProviderErrorDetail(code: "40001", message: "The destination is not routable"))
        #expect(!failed.optedOut)
        // Unconfirmed says nothing new: acknowledged, not stored.
        #expect(try report("message.finalized", status: "delivery_unconfirmed") == nil)
    }

    @Test func optOut40300() throws {
        let blocked = try #require(
            try report(
                "message.finalized", status: "sending_failed",
                errors: #"[{"code":"40300","title":"Blocked due to STOP message"}]"#))
        #expect(blocked.optedOut)
        #expect(blocked.status == .optedOut)
        #expect(blocked.error == ProviderErrorDetail(code: "40300", message: "Blocked due to STOP message"))
    }

    @Test func fixtureSignerWithoutPrivateKeySendsAsRecorded() {
        var channel = telnyxChannel
        channel.credentials["signingPrivateKey"] = nil
        let signed = TelnyxFixtureSigner(channel: channel).sign(
            method: "POST", kind: "events", query: "", headers: [], body: [], now: testNow)
        #expect(signed.headers.isEmpty)
        let withKey = TelnyxFixtureSigner(channel: telnyxChannel).sign(
            method: "POST", kind: "events", query: "", headers: [(name: "telnyx-timestamp", value: "1")], body: [],
            now: testNow)
        #expect(withKey.headers.value("telnyx-timestamp") == "1764056460")
        #expect(withKey.headers.value("telnyx-signature-ed25519") != nil)
    }

    @Test func checkConfigMasksTheTestSigningKey() throws {
        let json = try ConfigurationLoader.maskedJSON(
            Configuration(channels: [telnyxChannel]), secretCredentialKeys: ProviderRegistry.secretCredentialKeys)
        #expect(!json.contains(telnyxTestSeed))
        #expect(json.contains("***f2A="))
        #expect(!json.contains("KEY0123456789"))
    }

    @Test func registry() throws {
        #expect(ProviderRegistry.isSupported(.telnyx))
        #expect(ProviderRegistry.deliveryReportKind(for: .telnyx) == "events")
        try ProviderRegistry.validate(telnyxChannel)
        var bad = telnyxChannel
        bad.credentials["publicKey"] = "bm90IGEga2V5"
        #expect(thrownError { try ProviderRegistry.validate(bad) }?.field == "credentials.publicKey")
        bad = telnyxChannel
        bad.credentials["apiKey"] = nil
        #expect(thrownError { try ProviderRegistry.validate(bad) }?.field == "credentials.apiKey")
    }
}
