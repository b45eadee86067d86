import Crypto
import Foundation
import Switchboard

/// `X-Twilio-Signature` (providers.md §1.4), computed and checked like twilio-python's `RequestValidator`.
public enum TwilioSignature {
    /// The header Twilio signs its webhooks in.
    public static let headerName = "X-Twilio-Signature"

    /// The string Twilio signs: the URL followed by each parameter name and value, names sorted, each
    /// distinct value of a repeated name once, in sorted order (twilio-python de-duplicates with `set`).
    /// Sorting is by code point (UTF-8 bytes), as Python's `sorted` does, not by Swift's `String` ordering.
    public static func stringToSign(url: String, parameters: FormParameters) -> String {
        url + signedParameters(parameters)
    }

    /// The part of ``stringToSign(url:parameters:)`` after the URL.
    static func signedParameters(_ parameters: FormParameters) -> String {
        String(decoding: signedParameterBytes(parameters), as: UTF8.self)
    }

    /// ``signedParameters(_:)`` as UTF-8: the pairs sorted by name, then value, byte by byte, each distinct pair
    /// once: the same as each name's distinct values in sorted order.
    static func signedParameterBytes(_ parameters: FormParameters) -> [UInt8] {
        let sorted = parameters.pairs.sorted { a, b in
            a.name == b.name
                ? a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
                : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sorted.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var previous: FormParameters.Pair?
        for pair in sorted where pair != previous {
            bytes.append(contentsOf: pair.name.utf8)
            bytes.append(contentsOf: pair.value.utf8)
            previous = pair
        }
        return bytes
    }

    /// Base64(HMAC-SHA1(authToken, stringToSign)).
    public static func compute(url: String, parameters: FormParameters, authToken: String) -> String {
        Key(authToken: authToken).signature(url: url, signedParameters: signedParameterBytes(parameters))
    }

    /// The URLs a signature may have been computed over: the URL as written, without its port, and with the
    /// scheme's default port added (twilio-python accepts the last two because Twilio's back end is
    /// inconsistent about ports).
    public static func candidateURLs(_ url: String) -> [String] {
        var candidates = [url]
        if let parts = URLParts(url) {
            candidates.append(parts.url(withPort: nil))
            if parts.port == nil { candidates.append(parts.url(withPort: parts.defaultPort)) }
        }
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    /// A channel's auth token set up as an HMAC key once (the adapter keeps it), not at every candidate URL of
    /// every webhook.
    public struct Key: @unchecked Sendable {
        // Unchecked: swift-crypto's HMAC is a value whose digest state is copied on write, so copies taken on
        // several threads at once never share a mutable state; it is only not declared Sendable.
        let hmac: HMAC<Insecure.SHA1>

        public init(authToken: String) {
            hmac = HMAC(key: SymmetricKey(data: Array(authToken.utf8)))
        }

        /// Base64(HMAC-SHA1) of `url` followed by the signed parameters' bytes.
        func signature(url: String, signedParameters: [UInt8]) -> String {
            var hmac = hmac
            hmac.update(data: Array(url.utf8))
            hmac.update(data: signedParameters)
            return Data(hmac.finalize()).base64EncodedString()
        }
    }

    /// Whether `signature` matches a form-encoded (or GET) request to `url` with `parameters`, under any of
    /// ``candidateURLs(_:)``. Compared in constant time.
    public static func isValid(signature: String, url: String, parameters: FormParameters, authToken: String) -> Bool {
        isValid(
            signature: signature, candidates: candidateURLs(url), parameters: parameters, key: Key(authToken: authToken)
        )
    }

    /// ``isValid(signature:url:parameters:authToken:)`` with the candidate URLs and the key already made.
    public static func isValid(
        signature: String, candidates: [String], parameters: FormParameters, key: Key
    ) -> Bool {
        // The key and the parameters' part of the signed text are the same for every candidate URL. The first
        // match ends the search: which candidate matched is no secret (each is the public URL in one spelling), a
        // signature that matches none is still checked against every one, and each comparison takes constant
        // time. A genuine webhook matches the first (the URL as configured), so it costs one HMAC, not two or three.
        let signedParameters = signedParameterBytes(parameters)
        return candidates.contains { candidate in
            constantTimeEquals(key.signature(url: candidate, signedParameters: signedParameters), signature)
        }
    }

    /// Lower-case hex SHA-256 of a JSON body, the value of the `bodySHA256` query parameter.
    public static func bodySHA256(_ body: [UInt8]) -> String {
        SHA256.hash(data: body).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `signature` matches a JSON-body request: the signature covers the URL (which carries
    /// `bodySHA256`) with no parameters, and `bodySHA256` must be the hash of `body`.
    public static func isValid(signature: String, url: String, jsonBody body: [UInt8], authToken: String) -> Bool {
        guard let hash = bodySHA256Parameter(of: url),
            constantTimeEquals(hash.lowercased(), bodySHA256(body))
        else { return false }
        return isValid(signature: signature, url: url, parameters: FormParameters(), authToken: authToken)
    }

    /// The `bodySHA256` query parameter of `url`, if any.
    static func bodySHA256Parameter(of url: String) -> String? {
        guard let questionMark = url.firstIndex(of: "?") else { return nil }
        var query = url[url.index(after: questionMark)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        let parameters = try? FormParameters.decode(Array(query.utf8), maxParameters: .max, what: "URL")
        return parameters?.first("bodySHA256")
    }
}
