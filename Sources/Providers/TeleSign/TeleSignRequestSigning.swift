import Crypto
import Foundation
import Switchboard

/// TeleSign's REST request signing (providers.md §6.2, python_telesign `generate_telesign_headers`): the API key
/// never travels; each request carries `Authorization: TSA <customer_id>:<Base64 HMAC-SHA256>` over
/// `METHOD\nContent-Type\nDate\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:<nonce>[\n<body>]\n<resource>`.
public enum TeleSignRequestSigning {
    public static let authMethod = "HMAC-SHA256"

    /// The string TeleSign signs. The body line is present only when there is a content type and a body.
    public static func stringToSign(
        method: String, contentType: String, date: String, nonce: String, body: String, resource: String
    ) -> String {
        var text =
            "\(method.uppercased())\n\(contentType)\n\(date)\nx-ts-auth-method:\(authMethod)\nx-ts-nonce:\(nonce)"
        if !contentType.isEmpty, !body.isEmpty { text += "\n\(body)" }
        return text + "\n\(resource)"
    }

    /// `TSA <customerID>:<signature>`; `nil` when the API key does not decode.
    public static func authorization(
        customerID: String, apiKey: String, method: String, contentType: String, date: String, nonce: String,
        body: String, resource: String
    ) -> String? {
        guard let key = TeleSignSignature.keyBytes(apiKey: apiKey) else { return nil }
        let text = stringToSign(
            method: method, contentType: contentType, date: date, nonce: nonce, body: body, resource: resource)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key))
        return "TSA \(customerID):\(Data(mac).base64EncodedString())"
    }

    /// `Basic base64(customerID:apiKey)`, the simpler scheme TeleSign also accepts (kept for the published vector
    /// and for accounts that require it).
    public static func basicAuthorization(customerID: String, apiKey: String) -> String {
        "Basic " + Data("\(customerID):\(apiKey)".utf8).base64EncodedString()
    }

    /// The headers of a signed request: `Authorization`, `Date`, `x-ts-auth-method`, `x-ts-nonce`, and
    /// `Content-Type` when there is one; `nil` when the API key does not decode.
    public static func headers(
        customerID: String, apiKey: String, method: String, contentType: String, body: String, resource: String,
        date: Date, nonce: String
    ) -> [(name: String, value: String)]? {
        let dateText = HTTPDate.rfc1123(date)
        guard
            let authorization = authorization(
                customerID: customerID, apiKey: apiKey, method: method, contentType: contentType, date: dateText,
                nonce: nonce, body: body, resource: resource)
        else { return nil }
        var headers: [(name: String, value: String)] = [
            (name: "Authorization", value: authorization), (name: "Date", value: dateText),
            (name: "x-ts-auth-method", value: authMethod), (name: "x-ts-nonce", value: nonce),
        ]
        if !contentType.isEmpty { headers.append((name: "Content-Type", value: contentType)) }
        return headers
    }
}
