import Foundation
import Switchboard

@testable import Providers

let bandwidthChannel = Configuration.Channel(
    id: "bandwidth-main", provider: .bandwidth, numbers: ["+19195550199"],
    credentials: [
        "accountID": "9900000", "applicationID": "app-123", "clientID": "client-abc", "clientSecret": "client-s3cret",
        "callbackUsername": "bw-callbacks", "callbackPassword": "callback-pa55",
    ])

/// A Bandwidth `events` request carrying the channel's Basic credentials unless `sign` is false.
func bandwidthRequest(
    _ body: String, method: String = "POST", contentType: String? = "application/json", sign: Bool = true,
    authorization: String? = nil, kind: String = "events"
) -> WebhookRequest {
    var headers: [(name: String, value: String)] = []
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    if let authorization { headers.append((name: "Authorization", value: authorization)) }
    let bytes = Array(body.utf8)
    if sign {
        headers =
            BandwidthFixtureSigner(channel: bandwidthChannel).sign(
                method: method, kind: kind, query: "", headers: headers, body: bytes, now: testNow
            ).headers
    }
    return WebhookRequest(method: method, kind: kind, query: "", headers: headers, body: bytes)
}

/// One callback object; `message` holds the members of `message` (a JSON object's inside) and `extra` more
/// top-level members.
func bandwidthCallback(
    _ type: String, to: String = "+19195550199", description: String = "d", message: String, extra: String = ""
) -> String {
    #"{"time":"2025-11-25T07:41:00.500000Z","type":"\#(type)","to":"\#(to)","description":"\#(description)",\#(extra)"message":{\#(message)}}"#
}

/// The members of an inbound message.
func bandwidthInbound(
    id: String = "in-1", from: String = "+19195550100", text: String = "Hello", media: String? = nil
) -> String {
    #""id":"\#(id)","owner":"+19195550199","applicationId":"app-123","direction":"in","to":["+19195550199"],"from":"\#(from)","text":"\#(text)""#
        + (media.map { #","media":\#($0)"# } ?? "")
}

/// The members of an outbound message a delivery callback reports on.
func bandwidthOutbound(id: String = "out-1") -> String {
    #""id":"\#(id)","owner":"+19195550199","applicationId":"app-123","direction":"out","to":["+19195550100"],"from":"+19195550199","text":"""#
}

let bandwidthAdapter = BandwidthWebhookAdapter(channel: bandwidthChannel, context: testContext)

/// The adapter's result for `callbacks` (a JSON array's members), sent with the channel's credentials.
func bandwidthHandle(_ callbacks: String...) throws -> WebhookResult {
    try bandwidthAdapter.handle(bandwidthRequest("[" + callbacks.joined(separator: ",") + "]"), now: testNow)
}
