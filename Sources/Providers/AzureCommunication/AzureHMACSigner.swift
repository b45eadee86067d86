import Crypto
import Foundation
import Switchboard

/// HMAC-SHA256 request signing for Azure Communication Services' access-key authentication
/// (providers.md §2.9, the SDKs' `HMACCredentialsPolicy`).
public struct AzureHMACSigner: Sendable {
    /// The decoded access key (kept as bytes: `SymmetricKey` is not `Sendable`).
    let keyBytes: [UInt8]

    /// `nil` when `accessKey` is not Base64.
    public init?(accessKey: String) {
        guard let bytes = Data(base64Encoded: accessKey.trimmingWhitespaces()) else { return nil }
        keyBytes = Array(bytes)
    }

    /// Base64(HMAC-SHA256(key, UTF-8(message))): the SDK's `_compute_hmac`.
    public func computeHMAC(_ message: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: keyBytes)))
            .base64EncodedString()
    }

    /// Base64(SHA-256(body)), the `x-ms-content-sha256` header.
    public static func contentHash(_ body: [UInt8]) -> String {
        Data(SHA256.hash(data: body)).base64EncodedString()
    }

    /// The headers that sign a request: `x-ms-date`, `x-ms-content-sha256`, `Authorization`, and `Host` with
    /// the exact value signed (host plus any non-default port of `url`), so the client cannot send another.
    /// `nil` when `url` is not an absolute http(s) URL.
    public func headers(method: String, url: String, body: [UInt8], date: Date) -> [(name: String, value: String)]? {
        guard let parts = URLParts(url) else { return nil }
        let msDate = HTTPDate.rfc1123(date)
        let hash = Self.contentHash(body)
        let host = parts.authorityWithoutDefaultPort
        let stringToSign = "\(method.uppercased())\n\(parts.pathAndQuery)\n\(msDate);\(host);\(hash)"
        let authorization =
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=\(computeHMAC(stringToSign))"
        return [
            (name: "Host", value: host),
            (name: "x-ms-date", value: msDate),
            (name: "x-ms-content-sha256", value: hash),
            (name: "Authorization", value: authorization),
        ]
    }
}
