import Foundation
import Switchboard

@testable import Providers

let vonageChannel = Configuration.Channel(
    id: "vonage-main", provider: .vonage, numbers: ["+447700900000"],
    credentials: ["apiKey": "abcd1234", "apiSecret": "api-secret", "signatureSecret": "sig-secret"])

/// A Vonage webhook with `parameters` as a GET query, a form or a JSON body, signed at `signedAt` (default
/// `testNow`) with the channel's method unless `sign` is false.
func vonageRequest(
    kind: String = "inbound", method: String = "GET", parameters: [(String, String)], json: Bool = false,
    sign: Bool = true, signedAt: Date = testNow, nonce: String = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
    channel: Configuration.Channel = vonageChannel
) -> WebhookRequest {
    let form = FormParameters(parameters.map { .init(name: $0.0, value: $0.1) }).encoded()
    var query = ""
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    if method == "GET" {
        query = form
    } else if json {
        headers.append((name: "Content-Type", value: "application/json"))
        let object = Dictionary(parameters, uniquingKeysWith: { _, last in last })
        body = Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    } else {
        headers.append((name: "Content-Type", value: "application/x-www-form-urlencoded"))
        body = Array(form.utf8)
    }
    if sign {
        let signed = VonageFixtureSigner(channel: channel).sign(
            method: method, kind: kind, query: method == "GET" ? query : "", headers: headers, body: body,
            now: signedAt, nonce: nonce)
        query = signed.query
    }
    return WebhookRequest(method: method, kind: kind, query: query, headers: headers, body: body)
}

let vonageInbound: [(String, String)] = [
    ("msisdn", "447700900001"), ("to", "447700900000"), ("messageId", "0A0000000123ABCD1"), ("text", "Hello world"),
    ("type", "text"), ("keyword", "HELLO"), ("api-key", "abcd1234"), ("message-timestamp", "2025-11-25 07:40:59"),
]
