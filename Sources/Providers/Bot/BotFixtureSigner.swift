import Foundation
import Switchboard

/// Signs recorded bot handoffs like a bot platform would: `webhook-timestamp` set to now, `webhook-id` kept (or
/// made up when the recording has none) and `webhook-signature` over `id.timestamp.body` with the channel's secret.
public struct BotFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel

    public init(channel: Configuration.Channel) {
        self.channel = channel
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        guard let key = StandardWebhookSignature.key(fromSecret: channel.credential("secret") ?? "") else {
            return (query, headers)
        }
        let idHeader = StandardWebhookSignature.idHeader
        let id =
            headers.first { $0.name.lowercased() == idHeader }?.value ?? "msg_\(UUID().uuidString.lowercased())"
        let timestamp = String(Int(now.timeIntervalSince1970))
        var signed = replacingHeader(headers, name: idHeader, value: id)
        signed = replacingHeader(signed, name: StandardWebhookSignature.timestampHeader, value: timestamp)
        let signature = StandardWebhookSignature.sign(id: id, timestamp: timestamp, body: body, key: key)
        return (query, replacingHeader(signed, name: StandardWebhookSignature.signatureHeader, value: signature))
    }
}
