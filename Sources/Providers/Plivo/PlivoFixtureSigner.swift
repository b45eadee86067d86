import Foundation
import Switchboard

/// Signs recorded Plivo webhooks: a fresh numeric nonce in `X-Plivo-Signature-V3-Nonce` and the V3 signature over
/// `publicURL` + the route + the query and, for form POSTs, the decoded body parameters.
public struct PlivoFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        var parameters = FormParameters()
        let contentType = mediaType(of: headers.first { $0.name.lowercased() == "content-type" }?.value)
        if method.uppercased() == "POST", contentType == "application/x-www-form-urlencoded" {
            // A body that does not decode is signed without parameters; the gateway refuses it before the
            // signature check anyway.
            parameters = (try? FormParameters.decode(body, maxParameters: .max, what: channel.id)) ?? FormParameters()
        }
        let nonce = (0..<20).map { _ in String(Int.random(in: 0...9)) }.joined()
        let url = twilioWebhookURL(publicURL: context.publicURL, channelID: channel.id, kind: kind, query: query)
        let signature = PlivoSignature.compute(
            method: method, url: url, parameters: parameters, nonce: nonce,
            authToken: channel.credential("authToken") ?? "")
        let withNonce = replacingHeader(headers, name: PlivoSignature.nonceHeader, value: nonce)
        return (query, replacingHeader(withNonce, name: PlivoSignature.signatureHeader, value: signature))
    }
}
