import Crypto
import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// The Vonage SMS path over real loopback HTTP: signed inbound webhook → stored → agent notified → accept → reply
/// → the fake Vonage SMS API received the expected form → delivery receipt → `delivered`.
@Suite("Vonage end to end", .timeLimit(.minutes(2)))
struct VonageEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let apiKey = "vonage-key"
    static let apiSecret = "vonage-api-secret"
    static let signatureSecret = "vonage-signature-secret"

    static func configuration(vonageAPI: String, method: String = "sha256") -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "vonage-main", provider: .vonage, numbers: ["+447700900000"], region: "GB",
                    credentials: [
                        "apiKey": apiKey, "apiSecret": apiSecret, "signatureSecret": signatureSecret,
                        "signatureMethod": method,
                    ], apiBaseURL: vonageAPI)
            ],
            agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])
    }

    /// A fake Vonage SMS API: checks the credentials in the form and answers 200 with a message id (or, like
    /// Vonage, 200 with status 4 for bad credentials).
    static func fakeVonage(_ request: RecordedRequest) -> TestHTTPResponse {
        let form = Dictionary(FormFields.parse(request.bodyText) ?? [], uniquingKeysWith: { first, _ in first })
        guard request.path == "/sms/json", form["api_key"] == apiKey, form["api_secret"] == apiSecret else {
            return .json(#"{"message-count": "1", "messages": [{"status": "4", "error-text": "Bad Credentials"}]}"#)
        }
        let id = "0C" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(14)
        return .json(
            #"{"message-count": "1", "messages": [{"to": "\#(form["to"] ?? "")", "message-id": "\#(id)", "status": "0", "remaining-balance": "15.5", "message-price": "0.0333", "network": "23410"}]}"#
        )
    }

    @Test("Vonage: inbound → notification → accept → reply → SMS API → receipt → delivered")
    func vonageSMSPath() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeVonage($0) }) { vonage in
            try await GatewayHarness.with(Self.configuration(vonageAPI: vonage.baseURL)) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")

                let firstInbound: [(String, String)] = [
                    ("msisdn", "447700900001"), ("to", "447700900000"), ("messageId", "0A0000000123ABCD1"),
                    ("text", "Hello from Vonage"), ("type", "text"), ("keyword", "HELLO"), ("api-key", Self.apiKey),
                    ("message-timestamp", "2026-11-25 07:41:00"),
                ]
                let inbound = try await send(gateway, kind: "inbound", method: "GET", firstInbound, nonce: "nonce-1")
                #expect(inbound.status == 200)
                #expect(inbound.body.isEmpty)

                let notification = try await alice.next("notification").data
                #expect(notification["scenario"] == .string("incoming-sms"))
                #expect(notification["customer"]?["phone"] == .string("+447700900001"))
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")
                let messageID = try await gateway.reply(
                    in: conversationID, text: "Hi! How can we help?", token: "alice-token")

                let sent = try await vonage.waitForRequests(count: 1)
                #expect(sent.count == 1)
                #expect(sent[0].method == "POST")
                #expect(sent[0].path == "/sms/json")
                let form = Dictionary(
                    uniqueKeysWithValues: try #require(FormFields.parse(sent[0].bodyText)).map { ($0.0, $0.1) })
                #expect(form["api_key"] == Self.apiKey)
                #expect(form["api_secret"] == Self.apiSecret)
                #expect(form["from"] == "447700900000")
                #expect(form["to"] == "447700900001")
                #expect(form["text"] == "Hi! How can we help?")
                #expect(form["type"] == nil)
                #expect(form["callback"] == "\(Self.publicURL)/webhooks/vonage-main/status")
                #expect(form["status-report-req"] == "1")
                #expect(form["client-ref"] == messageID)
                let sentMessage = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentMessage["providerMessageId"]?.stringValue)
                #expect(providerID.hasPrefix("0C"))

                // The delivery receipt, as POST JSON; then the same receipt again (a duplicate: same answer).
                let receipt: [(String, String)] = [
                    ("msisdn", "447700900001"), ("to", "447700900000"), ("network-code", "23410"),
                    ("messageId", providerID), ("price", "0.03330000"), ("status", "delivered"), ("err-code", "0"),
                    ("client-ref", messageID), ("api-key", Self.apiKey),
                ]
                for _ in 0..<2 {
                    let answered = try await send(gateway, kind: "status", method: "POST-JSON", receipt)
                    #expect(answered.status == 200)
                }
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)

                // Forged and stale requests are refused with the §9 codes.
                var forged = receipt
                forged[5] = ("status", "failed")
                let refused = try await send(gateway, kind: "status", method: "POST", forged, tamper: true)
                #expect(refused.status == 403)
                #expect(refused.json?["error"] == .string("signature-invalid"))
                #expect(refused.json?["field"] == .string("sig"))
                let stale = try await send(
                    gateway, kind: "inbound", method: "POST",
                    [("msisdn", "447700900001"), ("to", "447700900000"), ("messageId", "0A0000000123ABCD9")],
                    signedAt: Date().addingTimeInterval(-90_000))
                #expect(stale.status == 403)
                #expect(stale.json?["error"] == .string("timestamp-outside-window"))
                #expect(stale.json?["field"] == .string("timestamp"))
                // A stale redelivery of a stored message is its duplicate: the same success, nothing stored.
                let staleDuplicate = try await send(
                    gateway, kind: "inbound", method: "POST", firstInbound, signedAt: Date().addingTimeInterval(-90_000)
                )
                #expect(staleDuplicate.status == 200)
                // A new message id with a nonce already used: a replay.
                var replayed = firstInbound
                replayed[2] = ("messageId", "0A0000000123ABCD2")
                let reused = try await send(gateway, kind: "inbound", method: "GET", replayed, nonce: "nonce-1")
                #expect(reused.status == 403)
                #expect(reused.json?["error"] == .string("nonce-reused"))
                #expect(reused.json?["field"] == .string("nonce"))
                let conversation = try await gateway.api(
                    "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
                #expect(conversation["messages"]?.arrayValue?.count == 2)

                let metrics = try await gateway.request("GET", "/metrics").text
                #expect(
                    metrics.contains(
                        #"switchboard_webhooks_total{provider="vonage",kind="status",outcome="duplicate"} 1"#))
                #expect(
                    metrics.contains(
                        #"switchboard_webhooks_total{provider="vonage",kind="inbound",outcome="nonce-reused"} 1"#))
                #expect(metrics.contains(#"switchboard_outbound_sends_total{provider="vonage",outcome="sent"} 1"#))
                await alice.close()
            }
        }
    }

    @Test("Vonage: concatenated parts out of order over HTTP become one message, one notification")
    func concatenatedPartsOverHTTP() async throws {
        try await GatewayHarness.with(Self.configuration(vonageAPI: "http://127.0.0.1:9", method: "sha256")) {
            gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            func part(_ number: Int, _ text: String, from sender: String = "447700900031") -> [(String, String)] {
                [
                    ("msisdn", sender), ("to", "447700900000"), ("messageId", "0A\(sender)\(number)"), ("text", text),
                    ("type", "text"), ("concat", "true"), ("concat-ref", "77"), ("concat-total", "3"),
                    ("concat-part", "\(number)"),
                ]
            }
            for (number, text) in [(3, "three."), (1, "One, "), (3, "three.")] {
                #expect(try await send(gateway, kind: "inbound", method: "POST", part(number, text)).status == 200)
            }
            // Another sender's part with the same reference does not mix in.
            #expect(
                try await send(gateway, kind: "inbound", method: "GET", part(2, "NOT THIS", from: "447700900032"))
                    .status == 200)
            #expect(try await send(gateway, kind: "inbound", method: "POST-JSON", part(2, "two, ")).status == 200)

            let notification = try await alice.next("notification").data
            #expect(notification["customer"]?["phone"] == .string("+447700900031"))
            let conversationID = try #require(notification["conversationId"]?.stringValue)
            let conversation = try await gateway.api(
                "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
            let texts = conversation["messages"]?.arrayValue?.compactMap { $0["text"]?.stringValue }
            #expect(texts == ["One, two, three."])
            let others = try await gateway.api(
                "GET", "/v1/conversations?customerPhone=%2B447700900032", token: "admin-token")
            #expect(others["conversations"]?.arrayValue?.isEmpty == true)
            await alice.close()
        }
    }

    // MARK: Helpers

    /// Sends a Vonage webhook signed as Vonage signs it: `GET` (query), `POST` (form) or `POST-JSON`.
    private func send(
        _ gateway: GatewayHarness, kind: String, method: String, _ parameters: [(String, String)],
        signedAt: Date = Date(), nonce: String = UUID().uuidString, tamper: Bool = false
    ) async throws -> CurlResponse {
        var signed = parameters + [("timestamp", String(Int(signedAt.timeIntervalSince1970))), ("nonce", nonce)]
        signed.append(("sig", Self.signature(signed, secret: Self.signatureSecret)))
        if tamper { signed[0].1 += "0" }
        let path = "/webhooks/vonage-main/\(kind)"
        switch method {
        case "GET":
            return try await gateway.request("GET", path + "?" + ProviderRequests.form(signed))
        case "POST":
            return try await gateway.request(
                "POST", path, headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                body: Array(ProviderRequests.form(signed).utf8))
        default:
            let object = Dictionary(signed, uniquingKeysWith: { _, last in last })
            let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return try await gateway.request(
                "POST", path, headers: [(name: "Content-Type", value: "application/json")], body: Array(body))
        }
    }

    /// Vonage's `sig` with HMAC-SHA256 (reference/providers.md §3.2), written independently of the gateway.
    static func signature(_ parameters: [(String, String)], secret: String) -> String {
        let text = parameters.sorted { $0.0 < $1.0 }.map {
            "&\($0.0)=" + $0.1.replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_")
        }.joined()
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

}
