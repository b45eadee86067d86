import Crypto
import Foundation

/// Builds provider webhook requests the way the providers do, independently of the gateway's own code.
enum ProviderRequests {
    /// `application/x-www-form-urlencoded` body, each name and value percent-encoded.
    static func form(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// `X-Twilio-Signature` (reference/providers.md §1.4): Base64 HMAC-SHA1 of the URL and the sorted parameters.
    static func twilioSignature(url: String, parameters: [(String, String)], authToken: String) -> String {
        let sorted = parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        let text = url + sorted.map { $0.0 + $0.1 }.joined()
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(text.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Checks an ACS request's HMAC-SHA256 headers (reference/providers.md §2.9); returns what is wrong, or nil.
    static func acsSignatureProblem(
        method: String, pathAndQuery: String, host: String, headers: (String) -> String?, body: [UInt8],
        accessKey: String
    ) -> String? {
        guard let date = headers("x-ms-date"), let hash = headers("x-ms-content-sha256"),
            let authorization = headers("Authorization")
        else { return "x-ms-date, x-ms-content-sha256 or Authorization is missing" }
        let expectedHash = Data(SHA256.hash(data: body)).base64EncodedString()
        guard hash == expectedHash else { return "x-ms-content-sha256 \(hash) is not \(expectedHash)" }
        let text = "\(method)\n\(pathAndQuery)\n\(date);\(host);\(hash)"
        guard let key = Data(base64Encoded: accessKey) else { return "bad test key" }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key))
        let expected =
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=\(Data(mac).base64EncodedString())"
        return authorization == expected ? nil : "Authorization \(authorization) is not \(expected)"
    }
}
