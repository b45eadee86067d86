import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct VonageWebhookTests {
    let adapter = VonageWebhookAdapter(channel: vonageChannel, context: testContext)

    func message(_ request: WebhookRequest, now: Date = testNow) throws -> InboundMessage? {
        if case .message(let message) = storedEvents(try adapter.handle(request, now: now)).first { return message }
        return nil
    }

    func report(_ request: WebhookRequest) throws -> DeliveryReport? {
        if case .status(let report) = storedEvents(try adapter.handle(request, now: testNow)).first { return report }
        return nil
    }

    @Test(arguments: [("GET", false), ("POST", false), ("POST", true)])
    func inboundOverEveryTransport(method: String, json: Bool) throws {
        let request = vonageRequest(method: method, parameters: vonageInbound, json: json)
        let result = try adapter.handle(request, now: testNow)
        #expect(reply(result) == WebhookReply(status: 200))
        let message = try #require(try message(request))
        #expect(message.from == "447700900001")
        #expect(message.to == "447700900000")
        #expect(message.text == "Hello world")
        #expect(message.providerMessageID == "0A0000000123ABCD1")
        #expect(message.dedupeKey == "0A0000000123ABCD1")
    }

    @Test(arguments: VonageSignature.Method.allCases)
    func everySignatureMethodIsAccepted(method: VonageSignature.Method) throws {
        var channel = vonageChannel
        channel.credentials["signatureMethod"] = method.rawValue
        let adapter = VonageWebhookAdapter(channel: channel, context: testContext)
        let request = vonageRequest(parameters: vonageInbound, channel: channel)
        #expect(storedEvents(try adapter.handle(request, now: testNow)).count == 1)
        // Signed with the default method instead: refused.
        if method != .md5hash {
            let wrong = vonageRequest(parameters: vonageInbound)
            #expect(thrownError { _ = try adapter.handle(wrong, now: testNow) }?.code == "signature-invalid")
        }
    }

    @Test func forgedAndMissingSignatures() {
        var forged = vonageRequest(parameters: vonageInbound)
        forged.query = forged.query.replacingOccurrences(of: "Hello", with: "Hullo")
        let error = thrownError { _ = try adapter.handle(forged, now: testNow) }
        #expect(error?.code == "signature-invalid")
        #expect(error?.field == "sig")
        #expect(error?.status == 403)
        let unsigned = vonageRequest(parameters: vonageInbound, sign: false)
        let missing = thrownError { _ = try adapter.handle(unsigned, now: testNow) }
        #expect(missing?.code == "signature-missing")
        #expect(missing?.field == "sig")
    }

    /// The adapter marks the window; the store refuses a stale event unless it is already stored.
    @Test func timestampWindow() throws {
        let day: TimeInterval = 86_400
        for (offset, outside) in [(-day, false), (day, false), (-day - 1, true), (day + 1, true)] {
            let request = vonageRequest(parameters: vonageInbound, signedAt: testNow.addingTimeInterval(offset))
            let replay = try #require(try message(request)?.replayGuard)
            #expect(replay.outsideWindow == outside)
            #expect(replay.nonce == "aaaaaaaa-bbbb-cccc-dddd-0123456789ab")
            #expect(replay.windowStart == testNow.addingTimeInterval(-day))
        }
        var short = vonageChannel
        short.replayWindowSeconds = 300
        let strict = VonageWebhookAdapter(channel: short, context: testContext)
        let old = vonageRequest(parameters: vonageInbound, signedAt: testNow.addingTimeInterval(-301), channel: short)
        guard case .message(let message) = storedEvents(try strict.handle(old, now: testNow)).first else {
            Issue.record("no message")
            return
        }
        #expect(message.replayGuard?.outsideWindow == true)
        #expect(message.replayGuard?.timestampRefusal(channelID: "vonage-main").code == "timestamp-outside-window")
        #expect(message.replayGuard?.nonceRefusal(channelID: "vonage-main").field == "nonce")
    }

    @Test func staleRequestsWithoutIdsAndTimestamplessRequestsAreRefused() {
        let stale = vonageRequest(
            parameters: vonageInbound.filter { $0.0 != "messageId" }, signedAt: testNow.addingTimeInterval(-90_000))
        let error = thrownError { _ = try adapter.handle(stale, now: testNow) }
        #expect(error?.code == "timestamp-outside-window")
        #expect(error?.field == "timestamp")
        // Signed, but without a timestamp.
        var pairs = vonageInbound + [("nonce", "n-1")]
        pairs.append(
            (
                "sig",
                VonageSignature.compute(pairs.map { (name: $0.0, value: $0.1) }, secret: "sig-secret", method: .md5hash)
            ))
        let request = WebhookRequest(
            method: "GET", kind: "inbound",
            query: FormParameters(pairs.map { .init(name: $0.0, value: $0.1) }).encoded(), headers: [], body: [])
        #expect(thrownError { _ = try adapter.handle(request, now: testNow) }?.code == "timestamp-outside-window")
    }

    @Test func signatureIsCheckedBeforeTimestampAndFields() {
        // A forged stale request is a signature failure, not a window failure.
        var forged = vonageRequest(parameters: vonageInbound, signedAt: testNow.addingTimeInterval(-200_000))
        forged.query += "&extra=1"
        #expect(thrownError { _ = try adapter.handle(forged, now: testNow) }?.code == "signature-invalid")
    }

    @Test(arguments: ["messageId", "msisdn", "to"])
    func inboundRequiredFields(field: String) {
        let request = vonageRequest(parameters: vonageInbound.filter { $0.0 != field })
        let error = thrownError { _ = try adapter.handle(request, now: testNow) }
        #expect(error?.code == "missing-field")
        #expect(error?.field == field)
    }

    @Test func statusRequiredFields() {
        for field in ["messageId", "status"] {
            let request = vonageRequest(
                kind: "status",
                parameters: [("messageId", "0C000000217B7F02"), ("status", "delivered")].filter { $0.0 != field })
            #expect(thrownError { _ = try adapter.handle(request, now: testNow) }?.field == field)
        }
    }

    @Test func transportsAndKinds() {
        let put = WebhookRequest(method: "PUT", kind: "inbound", query: "", headers: [], body: [])
        #expect(thrownError { _ = try adapter.handle(put, now: testNow) }?.status == 405)
        let xml = WebhookRequest(
            method: "POST", kind: "inbound", query: "", headers: [(name: "Content-Type", value: "text/xml")], body: [])
        #expect(thrownError { _ = try adapter.handle(xml, now: testNow) }?.status == 415)
        let broken = WebhookRequest(
            method: "POST", kind: "inbound", query: "",
            headers: [(name: "Content-Type", value: "application/json")], body: Array("{nope".utf8))
        #expect(thrownError { _ = try adapter.handle(broken, now: testNow) }?.code == "invalid-request")
        let other = WebhookRequest(method: "POST", kind: "events", query: "", headers: [], body: [])
        #expect(thrownError { _ = try adapter.handle(other, now: testNow) }?.status == 404)
    }

    @Test func unicodeAndBinaryText() throws {
        var unicode = vonageInbound.filter { $0.0 != "text" && $0.0 != "type" }
        unicode += [("type", "unicode"), ("text", "Grüße 😀 a&b=c")]
        #expect(try message(vonageRequest(method: "POST", parameters: unicode))?.text == "Grüße 😀 a&b=c")
        var binary = vonageInbound.filter { $0.0 != "text" && $0.0 != "type" }
        binary += [("type", "binary"), ("udh", "050003CC0201"), ("data", "48656C6C6F")]
        #expect(
            try message(vonageRequest(parameters: binary))?.text == "[binary udh=050003CC0201 data=48656C6C6F]")
    }

    @Test(arguments: [
        ("delivered", MessageStatus.delivered), ("accepted", .sent), ("buffered", .sent), ("expired", .undelivered),
        ("failed", .undelivered), ("rejected", .failed),
    ])
    func deliveryReceipts(status: String, expected: MessageStatus) throws {
        let request = vonageRequest(
            kind: "status", method: "POST",
            parameters: [
                ("msisdn", "447700900001"), ("to", "AcmeInc"), ("messageId", "0C000000217B7F02"), ("status", status),
                ("err-code", status == "delivered" ? "0" : "5"), ("client-ref", "msg-1"),
            ], json: true)
        let report = try #require(try report(request))
        #expect(report.status == expected)
        #expect(report.providerMessageID == "0C000000217B7F02")
        #expect(report.dedupeKey == "0C000000217B7F02:" + status)
        #expect(report.error?.code == (status == "delivered" ? nil : "5"))
        #expect(!report.optedOut)
    }

    @Test func optOutReceipt() throws {
        let request = vonageRequest(
            kind: "status", method: "POST",
            parameters: [
                ("msisdn", "447700900000"), ("to", "AcmeInc"), ("network-code", "12345"),
                ("messageId", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"), ("price", "0.00000000"), ("status", "failed"),
                ("scts", "2001011400"), ("err-code", "9"), ("api-key", "abcd1234"),
                ("message-timestamp", "2020-01-01 12:00:00"),
            ], json: true)
        let report = try #require(try report(request))
        #expect(report.status == .optedOut)
        #expect(report.optedOut)
        #expect(report.error?.code == "9")
    }

    @Test func unknownStatusIsAcknowledgedNotStored() throws {
        let request = vonageRequest(kind: "status", parameters: [("messageId", "X1"), ("status", "unknown")])
        let result = try adapter.handle(request, now: testNow)
        #expect(isImmediate(result))
        #expect(reply(result).status == 200)
    }

    @Test func registryServesVonage() throws {
        #expect(ProviderRegistry.isSupported(.vonage))
        #expect(ProviderRegistry.deliveryReportKind(for: .vonage) == "status")
        #expect(ProviderRegistry.adapter(for: vonageChannel, context: testContext) is VonageWebhookAdapter)
        try ProviderRegistry.validate(vonageChannel)
        for key in ["signatureSecret", "apiKey", "apiSecret"] {
            var broken = vonageChannel
            broken.credentials[key] = nil
            let error = thrownError { try ProviderRegistry.validate(broken) }
            #expect(error?.message == "channel vonage-main: credentials.\(key) is missing")
        }
        var badMethod = vonageChannel
        badMethod.credentials["signatureMethod"] = "sha384"
        #expect(thrownError { try ProviderRegistry.validate(badMethod) }?.field == "credentials.signatureMethod")
        // The registry's signer produces what the registry's adapter accepts (a POST: sig in the query).
        let body = Array(FormParameters(vonageInbound.map { .init(name: $0.0, value: $0.1) }).encoded().utf8)
        let headers = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
        let signed = ProviderRegistry.signer(for: vonageChannel, context: testContext).sign(
            method: "POST", kind: "inbound", query: "", headers: headers, body: body, now: testNow)
        let request = WebhookRequest(method: "POST", kind: "inbound", query: signed.query, headers: headers, body: body)
        #expect(storedEvents(try adapter.handle(request, now: testNow)).count == 1)
    }

    @Test func concatenatedParts() throws {
        let concat =
            vonageInbound + [("concat", "true"), ("concat-ref", "108"), ("concat-total", "3"), ("concat-part", "2")]
        #expect(
            try message(vonageRequest(parameters: concat))?.concatenation
                == ConcatenationPart(recipient: "447700900000", reference: "108", part: 2, total: 3))
        #expect(try message(vonageRequest(parameters: vonageInbound))?.concatenation == nil)
        for (name, value, field) in [
            ("concat-part", "4", "concat-part"), ("concat-part", "0", "concat-part"),
            ("concat-total", "x", "concat-total"),
            ("concat-ref", "", "concat-ref"),
        ] {
            let broken = concat.map { $0.0 == name ? (name, value) : $0 }
            #expect(
                thrownError { _ = try adapter.handle(vonageRequest(parameters: broken), now: testNow) }?.field == field)
        }
    }

    @Test func repeatedParametersAreRefused() {
        // A valid signature covers one value per name; a second `text` must not slip in beside it.
        var request = vonageRequest(parameters: vonageInbound)
        request.query = "text=Evil&" + request.query
        let error = thrownError { _ = try adapter.handle(request, now: testNow) }
        #expect(error?.code == "invalid-request")
        #expect(error?.field == "text")
    }

    @Test func jsonBooleansAndNumbersAreSignedAsText() throws {
        var pairs = vonageInbound + [("timestamp", "\(Int(testNow.timeIntervalSince1970))"), ("concat", "true")]
        pairs += [("concat-ref", "5"), ("concat-total", "2"), ("concat-part", "1"), ("nonce", "n-json")]
        pairs.append(
            (
                "sig",
                VonageSignature.compute(pairs.map { (name: $0.0, value: $0.1) }, secret: "sig-secret", method: .md5hash)
            ))
        var object: [String: Any] = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        object["concat"] = true
        object["timestamp"] = Int(testNow.timeIntervalSince1970)
        object["concat-total"] = 2
        let body = Array(try JSONSerialization.data(withJSONObject: object))
        let request = WebhookRequest(
            method: "POST", kind: "inbound", query: "", headers: [(name: "Content-Type", value: "application/json")],
            body: body)
        #expect(try message(request)?.concatenation?.total == 2)
    }
}
