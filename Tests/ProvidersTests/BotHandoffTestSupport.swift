import Foundation
import Switchboard

@testable import Providers

/// `whsec_` + Base64 of "bot-handoff-test-secret-32-bytes".
let botSecret = "whsec_" + Data("bot-handoff-test-secret-32-bytes".utf8).base64EncodedString()

let botChannel = Configuration.Channel(
    id: "bot-main", provider: .bot, numbers: ["+18005550100"], credentials: ["secret": botSecret])

let botBody = """
    {"type": "handoff", "channel": "voice", "callId": "CA123",
     "customer": {"phone": "+14155550100", "name": "Ada"}, "to": "+18005550100",
     "bot": {"id": "billing-bot", "language": "en-US", "lastTopic": "billing", "summary": "Disputes a charge",
             "transcript": [{"from": "customer", "text": "I was charged twice"}, {"from": "bot", "text": "Connecting you"}],
             "variables": {"va_LastTopic": "billing"}},
     "reason": "customer asked for an agent", "priority": 2}
    """

/// A bot handoff signed with `secret` at `signedAt` (the channel's own secret and `testNow` by default).
func botRequest(
    body: String = botBody, id: String = "msg_1", signedAt: Date = testNow, secret: String = botSecret,
    contentType: String = "application/json", method: String = "POST", kind: String = "handoff",
    omit: String? = nil
) -> WebhookRequest {
    var channel = botChannel
    channel.credentials["secret"] = secret
    let signed = BotFixtureSigner(channel: channel).sign(
        method: method, kind: kind, query: "",
        headers: [(name: "Content-Type", value: contentType), (name: "webhook-id", value: id)],
        body: Array(body.utf8), now: signedAt)
    let headers = signed.headers.filter { $0.name.lowercased() != omit }
    return WebhookRequest(method: method, kind: kind, query: "", headers: headers, body: Array(body.utf8))
}
