import Crypto
import Foundation
import Switchboard

/// TeleSign callback signatures (providers.md §6.2): `Authorization: TSA <customer_id>:<signature>` where the
/// signature is Base64(HMAC-SHA256(Base64-decoded API key, raw body)).
public enum TeleSignSignature {
    public static let headerName = "Authorization"

    /// The API key's bytes, decoded leniently as Python's `b64decode` does: characters outside the Base64
    /// alphabet (the SDK's example key contains `----`) are skipped. `nil` when it does not decode.
    public static func keyBytes(apiKey: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: apiKey, options: .ignoreUnknownCharacters), !data.isEmpty else {
            return nil
        }
        return Array(data)
    }

    /// Base64(HMAC-SHA256(keyBytes(apiKey), body)); `nil` when the key is unusable.
    public static func compute(body: [UInt8], apiKey: String) -> String? {
        guard let key = keyBytes(apiKey: apiKey) else { return nil }
        return Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))).base64EncodedString()
    }

    /// `TSA <customerID>:<signature>`, the header TeleSign sends.
    public static func authorization(customerID: String, body: [UInt8], apiKey: String) -> String? {
        compute(body: body, apiKey: apiKey).map { "TSA \(customerID):\($0)" }
    }

    /// The signature part of an `Authorization` header (`TSA id:sig`, scheme in any case); `nil` when the header
    /// has another shape.
    public static func signature(fromAuthorization header: String) -> String? {
        let trimmed = header.trimmingWhitespaces()
        guard trimmed.lowercased().hasPrefix("tsa "), let colon = trimmed.firstIndex(of: ":") else { return nil }
        let signature = trimmed[trimmed.index(after: colon)...].trimmingWhitespaces()
        return signature.isEmpty ? nil : signature
    }

    /// Whether `signature` matches `body` under `apiKey`, compared in constant time.
    public static func isValid(signature: String, body: [UInt8], apiKey: String) -> Bool {
        guard let expected = compute(body: body, apiKey: apiKey) else { return false }
        return constantTimeEquals(expected, signature)
    }
}
