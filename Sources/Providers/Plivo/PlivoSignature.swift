import Crypto
import Foundation
import Switchboard

/// `X-Plivo-Signature-V3` (providers.md §5.2), computed like plivo-python's `signature_v3` module.
public enum PlivoSignature {
    public static let signatureHeader = "X-Plivo-Signature-V3"
    public static let nonceHeader = "X-Plivo-Signature-V3-Nonce"

    /// The string Plivo signs, without the trailing `"." + nonce`.
    ///
    /// - GET: `base?k=v&k=v` over the URL's query parameters merged with `parameters`, keys sorted, each key's
    ///   values sorted; just `base` when there are none.
    /// - POST: `base`, then `?` + the sorted URL query (`k=v&…`) when there is a query or a body parameter, then
    ///   `.` when there are both, then the body parameters sorted as `keyvalue` with no separators.
    ///
    /// `url` is the URL as Plivo called it; `base` is its `scheme://host[:port]/path`. Sorting is by code point,
    /// as Python's `sorted` does.
    public static func stringToSign(method: String, url: String, parameters: FormParameters) -> String {
        var base = url
        var queryString = ""
        if let questionMark = url.firstIndex(of: "?") {
            base = String(url[..<questionMark])
            queryString = String(url[url.index(after: questionMark)...])
        }
        if let hash = queryString.firstIndex(of: "#") { queryString = String(queryString[..<hash]) }
        if let hash = base.firstIndex(of: "#") { base = String(base[..<hash]) }
        let query =
            (try? FormParameters.decode(Array(queryString.utf8), maxParameters: .max, what: "URL")) ?? FormParameters()
        if method.uppercased() == "GET" {
            let joined = sortedPairs(FormParameters(query.pairs + parameters.pairs)).map { "\($0)=\($1)" }
            return joined.isEmpty ? base : base + "?" + joined.joined(separator: "&")
        }
        var result = base
        if !parameters.isEmpty || !query.isEmpty {
            result += "?" + sortedPairs(query).map { "\($0)=\($1)" }.joined(separator: "&")
        }
        if !parameters.isEmpty && !query.isEmpty { result += "." }
        result += sortedPairs(parameters).map { $0 + $1 }.joined()
        return result
    }

    /// Every (name, value), names sorted, each name's values sorted; by UTF-8 bytes (Python's order).
    static func sortedPairs(_ parameters: FormParameters) -> [(String, String)] {
        let byBytes: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var result: [(String, String)] = []
        for name in Set(parameters.pairs.map(\.name)).sorted(by: byBytes) {
            for value in parameters.values(name).sorted(by: byBytes) { result.append((name, value)) }
        }
        return result
    }

    /// Base64(HMAC-SHA256(authToken, stringToSign + "." + nonce)).
    public static func compute(
        method: String, url: String, parameters: FormParameters, nonce: String, authToken: String
    ) -> String {
        let text = stringToSign(method: method, url: url, parameters: parameters) + "." + nonce
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(text.utf8), using: SymmetricKey(data: Array(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether any of the comma-separated signatures in `header` matches, for `url` as written, without its port
    /// or with the scheme's default port (CONTRACT.md §2). Compared in constant time.
    public static func isValid(
        header: String, method: String, url: String, parameters: FormParameters, nonce: String, authToken: String
    ) -> Bool {
        let offered = header.split(separator: ",").map { $0.trimmingWhitespaces() }
        var candidates = [url]
        if let parts = URLParts(url) {
            candidates.append(parts.url(withPort: nil))
            if parts.port == nil { candidates.append(parts.url(withPort: parts.defaultPort)) }
        }
        var valid = false
        for candidate in Set(candidates) {
            let expected = compute(
                method: method, url: candidate, parameters: parameters, nonce: nonce, authToken: authToken)
            for signature in offered {
                // No early exit: the work does not depend on which signature matches.
                valid = constantTimeEquals(expected, signature) || valid
            }
        }
        return valid
    }
}
