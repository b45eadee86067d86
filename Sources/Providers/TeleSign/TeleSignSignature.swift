import Crypto
import Foundation

/// TeleSign callback signatures (providers.md §6.2): `Authorization: TSA <customer_id>:<signature>` where the
/// signature is Base64(HMAC-SHA256(Base64-decoded API key, raw body)).
public enum TeleSignSignature {
    public static let headerName = "Authorization"

    /// The API key's bytes. Decoded leniently, as Python's `b64decode` does: characters outside the Base64
    /// alphabet (the SDK's example key contains `----`) are skipped. `nil` when nothing usable remains.
    public static func keyBytes(apiKey: String) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        var cleaned = String(decoding: apiKey.utf8.filter { alphabet.contains($0) }, as: UTF8.self)
        // Padding only counts at the end; re-pad so a key without `=` decodes too.
        while cleaned.hasSuffix("=") { cleaned.removeLast() }
        cleaned = cleaned.replacingOccurrences(of: "=", with: "")
        if cleaned.count % 4 == 1 { cleaned.removeLast() }
        cleaned += String(repeating: "=", count: (4 - cleaned.count % 4) % 4)
        guard let data = Data(base64Encoded: cleaned), !data.isEmpty else { return nil }
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
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("tsa "), let colon = trimmed.firstIndex(of: ":") else { return nil }
        let signature = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return signature.isEmpty ? nil : signature
    }

    /// Whether `signature` matches `body` under `apiKey`, compared in constant time.
    public static func isValid(signature: String, body: [UInt8], apiKey: String) -> Bool {
        guard let expected = compute(body: body, apiKey: apiKey) else { return false }
        return constantTimeEquals(expected, signature)
    }
}
