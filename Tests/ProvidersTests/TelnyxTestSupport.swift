import Foundation
import Switchboard

@testable import Providers

/// RFC 8032 §7.1 TEST 1, the key pair of providers.md §4.2's derived vector.
let telnyxTestSeed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
let telnyxTestPublicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

let telnyxChannel = Configuration.Channel(
    id: "telnyx-main", provider: .telnyx, numbers: ["+13125550199"],
    credentials: [
        "apiKey": "KEY0123456789", "publicKey": telnyxTestPublicKey, "messagingProfileID": "profile-1",
        "signingPrivateKey": telnyxTestSeed,
    ])

/// A Telnyx `events` request signed at `signedAt` (default: the test clock) unless `sign` is false.
func telnyxRequest(
    _ body: String, method: String = "POST", contentType: String? = "application/json", sign: Bool = true,
    signedAt: Date = testNow, kind: String = "events"
) -> WebhookRequest {
    var headers: [(name: String, value: String)] = []
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    let bytes = Array(body.utf8)
    if sign {
        headers =
            TelnyxFixtureSigner(channel: telnyxChannel).sign(
                method: method, kind: kind, query: "", headers: headers, body: bytes, now: signedAt
            ).headers
    }
    return WebhookRequest(method: method, kind: kind, query: "", headers: headers, body: bytes)
}

/// A Telnyx event body with `payload` (a JSON object's members) under `data.payload`.
func telnyxEvent(_ type: String, id: String = "evt-1", payload: String) -> String {
    #"{"data":{"event_type":"\#(type)","id":"\#(id)","occurred_at":"2025-11-25T07:41:00.000+00:00","payload":{\#(payload)},"record_type":"event"},"meta":{"attempt":1}}"#
}
