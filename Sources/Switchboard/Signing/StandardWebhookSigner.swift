import Crypto
import Foundation

/// Standard Webhooks signatures (CONTRACT.md §4): `webhook-signature: v1,<Base64 HMAC-SHA256(key, id.timestamp.body)>`
/// where the key is the Base64 part of a `whsec_…` secret (a secret without the prefix is used as its bytes).
public struct StandardWebhookSigner: Sendable {
    let key: [UInt8]

    public init(secret: String) {
        if secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) {
            key = Array(data)
        } else {
            key = Array(secret.utf8)
        }
    }

    /// Whether `secret` is `whsec_` followed by non-empty Base64: what every Standard Webhooks library reads the
    /// same way (without the prefix they disagree: raw bytes here, Base64 there).
    public static func isValidSecret(_ secret: String) -> Bool {
        guard secret.hasPrefix("whsec_") else { return false }
        let encoded = String(secret.dropFirst("whsec_".count))
        return !encoded.isEmpty && Data(base64Encoded: encoded) != nil
    }

    public func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        return "v1,"
            + Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))).base64EncodedString()
    }

    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public func headers(id: String, timestamp: Int, body: [UInt8]) -> [(name: String, value: String)] {
        [
            (name: "webhook-id", value: id), (name: "webhook-timestamp", value: String(timestamp)),
            (name: "webhook-signature", value: signature(id: id, timestamp: timestamp, body: body)),
        ]
    }
}
