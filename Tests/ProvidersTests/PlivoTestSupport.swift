import Foundation
import Switchboard

@testable import Providers

let plivoChannel = Configuration.Channel(
    id: "plivo-main", provider: .plivo, numbers: ["+14155550199"],
    credentials: ["authID": "MAXXXXXXXXXXXXXXXXXX", "authToken": "plivo-test-token"])

/// A Plivo webhook request, signed (nonce + V3) with the channel's token unless `sign` is false.
func plivoRequest(
    kind: String = "inbound", method: String = "POST", query: String = "", body: String = "",
    contentType: String? = "application/x-www-form-urlencoded", sign: Bool = true
) -> WebhookRequest {
    var headers: [(name: String, value: String)] = []
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    let bytes = Array(body.utf8)
    if sign {
        headers =
            PlivoFixtureSigner(channel: plivoChannel, context: testContext).sign(
                method: method, kind: kind, query: query, headers: headers, body: bytes, now: testNow
            ).headers
    }
    return WebhookRequest(method: method, kind: kind, query: query, headers: headers, body: bytes)
}
