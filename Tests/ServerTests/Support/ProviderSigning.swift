import Crypto
import Foundation
import Switchboard

/// Telnyx, Plivo and TeleSign webhook signatures computed the way the providers do (reference/providers.md §4.2,
/// §5.2, §6.2), independently of the gateway's own code.
enum ProviderSigning {
    /// Base64 Ed25519 signature of `timestamp|body` with the Base64 32-byte seed `privateKey`.
    static func telnyx(timestamp: String, body: [UInt8], privateKey: String) throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(base64Encoded: privateKey) ?? Data())
        return try key.signature(for: Data(Array(timestamp.utf8) + [UInt8(ascii: "|")] + body)).base64EncodedString()
    }

    /// `X-Plivo-Signature-V3` of a form POST to `url` (no query): `url?` + sorted `namevalue` + `.` + nonce.
    static func plivo(url: String, parameters: [(String, String)], nonce: String, authToken: String) -> String {
        let sorted = parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        let text = url + (parameters.isEmpty ? "" : "?" + sorted.map { $0.0 + $0.1 }.joined()) + "." + nonce
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// `TSA <customerID>:<Base64 HMAC-SHA256(Base64-decoded apiKey, body)>`.
    static func teleSign(customerID: String, apiKey: String, body: [UInt8]) -> String {
        let key = Data(base64Encoded: apiKey) ?? Data()
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))
        return "TSA \(customerID):\(Data(mac).base64EncodedString())"
    }

    /// TeleSign's REST request signature over an already built string-to-sign.
    static func teleSignRequest(customerID: String, apiKey: String, stringToSign: String) -> String {
        teleSign(customerID: customerID, apiKey: apiKey, body: Array(stringToSign.utf8))
    }
}

/// Polls the conversation until the message `messageID` has `status`; returns the message.
func waitForMessageStatus(
    _ status: String, of messageID: String, in conversationID: String, gateway: GatewayHarness
) async throws -> JSONValue {
    var last: JSONValue?
    for _ in 0..<400 {
        let conversation = try await gateway.api("GET", "/v1/conversations/\(conversationID)", token: "admin-token")
        if case .array(let messages) = conversation["messages"],
            let message = messages.first(where: { $0["id"] == .string(messageID) })
        {
            last = message
            if message["status"] == .string(status) { return message }
        }
        try await Task.sleep(for: .milliseconds(25))
    }
    throw TestFailure("message \(messageID) never reached \(status); last \(String(describing: last))")
}
