import Foundation
import Switchboard

@testable import Providers

let teleSignChannel = Configuration.Channel(
    id: "telesign-main", provider: .telesign, numbers: ["+14155550199"],
    credentials: [
        "customerID": "FFFFFFFF-EEEE-DDDD-1234-AB1234567890",
        "apiKey": "EXAMPLE----TE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw==",
    ])

enum OutboundMessageFixture {
    static let message = OutboundMessage(
        messageID: "msg-1", channelID: "telesign-main", from: nil, to: "+14155550100", text: "Hi & welcome 😀",
        idempotencyKey: "key-1", firstQueuedAt: testNow, statusCallbackURL: nil)
}

/// A TeleSign callback, signed (`Authorization: TSA …`) with the channel's key unless `sign` is false.
func teleSignRequest(
    kind: String = "inbound", method: String = "POST", body: String, contentType: String? = "application/json",
    sign: Bool = true
) -> WebhookRequest {
    var headers: [(name: String, value: String)] = []
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    let bytes = Array(body.utf8)
    if sign {
        headers =
            TeleSignFixtureSigner(channel: teleSignChannel).sign(
                method: method, kind: kind, query: "", headers: headers, body: bytes, now: testNow
            ).headers
    }
    return WebhookRequest(method: method, kind: kind, query: "", headers: headers, body: bytes)
}
