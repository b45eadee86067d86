import Crypto
import Foundation
import Switchboard

/// Vonage's signed-request `sig` (providers.md §3.2), computed and checked like vonage-python-sdk.
public enum VonageSignature {
    /// The parameter that carries the signature.
    public static let parameterName = "sig"

    /// The dashboard's signature methods (channel key `credentials.signatureMethod`).
    public enum Method: String, Sendable, CaseIterable {
        /// `hex(MD5(string + secret))`: Vonage's default.
        case md5hash
        /// HMAC-MD5.
        case md5
        case sha1
        case sha256
        case sha512
    }

    /// `&k1=v1&k2=v2…` over every parameter except `sig`, names sorted by code point, `&` and `=` in values
    /// replaced by `_`. A name given twice keeps its last value, as the SDKs' dictionaries do.
    public static func stringToSign(_ parameters: [(name: String, value: String)]) -> String {
        var byName: [String: String] = [:]
        for (name, value) in parameters where name != parameterName { byName[name] = value }
        let names = byName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var result = ""
        for name in names {
            let value = byName[name, default: ""].replacingOccurrences(of: "&", with: "_")
                .replacingOccurrences(of: "=", with: "_")
            result += "&" + name + "=" + value
        }
        return result
    }

    /// The lower-case hex signature of `parameters` with `method` and the channel's signature secret.
    public static func compute(
        _ parameters: [(name: String, value: String)], secret: String, method: Method
    ) -> String {
        let message = Array(stringToSign(parameters).utf8)
        let key = SymmetricKey(data: Array(secret.utf8))
        switch method {
        case .md5hash: return hex(Insecure.MD5.hash(data: message + Array(secret.utf8)))
        case .md5: return hex(HMAC<Insecure.MD5>.authenticationCode(for: message, using: key))
        case .sha1: return hex(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        case .sha256: return hex(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: return hex(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
    }

    /// Whether `signature` is the signature of `parameters`: compared ignoring case (SDKs send upper-case hex
    /// for HMAC methods) and in constant time.
    public static func isValid(
        signature: String, parameters: [(name: String, value: String)], secret: String, method: Method
    ) -> Bool {
        constantTimeEquals(compute(parameters, secret: secret, method: method), signature.lowercased())
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
