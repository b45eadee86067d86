import Crypto
import Foundation
import Switchboard

/// Telnyx API v2 webhook signatures (providers.md §4.2): Ed25519 over `timestamp + "|" + raw body`.
public enum TelnyxSignature {
    /// Base64 of the 64-byte Ed25519 signature.
    public static let signatureHeader = "telnyx-signature-ed25519"
    /// Unix seconds, as a decimal string.
    public static let timestampHeader = "telnyx-timestamp"

    /// The bytes Telnyx signs: the timestamp header's value, a pipe, then the body exactly as received.
    public static func signedMessage(timestamp: String, body: [UInt8]) -> [UInt8] {
        Array(timestamp.utf8) + [UInt8(ascii: "|")] + body
    }

    /// Whether `signature` (Base64) is a valid Ed25519 signature of `timestamp|body` under `publicKey` (Base64 of
    /// the raw 32-byte key, as Mission Control shows it). A key or signature that does not decode is invalid.
    public static func isValid(signature: String, timestamp: String, body: [UInt8], publicKey: String) -> Bool {
        guard let keyBytes = Data(base64Encoded: publicKey.trimmingWhitespaces()),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes),
            let signatureBytes = Data(base64Encoded: signature.trimmingWhitespaces())
        else { return false }
        return key.isValidSignature(signatureBytes, for: Data(signedMessage(timestamp: timestamp, body: body)))
    }

    /// Base64 Ed25519 signature of `timestamp|body` with `privateKey` (Base64 of the 32-byte seed), or `nil`
    /// when the key does not decode. Only fixtures and tests sign: Telnyx keeps the real private key.
    public static func sign(timestamp: String, body: [UInt8], privateKey: String) -> String? {
        guard let seed = Data(base64Encoded: privateKey.trimmingWhitespaces()),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed),
            let signature = try? key.signature(for: Data(signedMessage(timestamp: timestamp, body: body)))
        else { return nil }
        return Data(signature).base64EncodedString()
    }

    /// Whether `publicKey` is Base64 of a 32-byte Ed25519 public key.
    public static func isUsablePublicKey(_ publicKey: String) -> Bool {
        guard let bytes = Data(base64Encoded: publicKey.trimmingWhitespaces()) else { return false }
        return (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)) != nil
    }
}
