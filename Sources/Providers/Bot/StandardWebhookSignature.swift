import Crypto
import Foundation
import Switchboard

/// Standard Webhooks signatures (CONTRACT.md §4): HMAC-SHA256 over `id.timestamp.body` with the key that is the
/// Base64 part of a `whsec_…` secret, sent as `webhook-signature: v1,<Base64>` (several space-separated
/// signatures allowed while a secret rotates).
public enum StandardWebhookSignature {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"
    static let secretPrefix = "whsec_"

    /// The HMAC key of `secret` (`whsec_<Base64>`; the prefix is optional), or `nil` when it does not decode.
    public static func key(fromSecret secret: String) -> SymmetricKey? {
        var encoded = Substring(secret.trimmingWhitespaces())
        if encoded.hasPrefix(secretPrefix) { encoded = encoded.dropFirst(secretPrefix.count) }
        guard !encoded.isEmpty, let bytes = Data(base64Encoded: String(encoded)) else { return nil }
        return SymmetricKey(data: bytes)
    }

    /// The `v1,<Base64>` signature of one request.
    public static func sign(id: String, timestamp: String, body: [UInt8], key: SymmetricKey) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Whether any `v1` signature in the header's space-separated list matches (compared in constant time).
    public static func isValid(header: String, id: String, timestamp: String, body: [UInt8], key: SymmetricKey) -> Bool
    {
        let expected = Array(sign(id: id, timestamp: timestamp, body: body, key: key).utf8)
        return header.split(separator: " ").contains { candidate in
            candidate.hasPrefix("v1,") && constantTimeEquals(Array(candidate.utf8), expected)
        }
    }
}
