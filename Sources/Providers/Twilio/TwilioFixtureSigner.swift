import Foundation
import Switchboard

/// Adds the `X-Twilio-Signature` Twilio would send, computed over `publicURL` + the route + the query and, for
/// form POSTs, the decoded body parameters.
public struct TwilioFixtureSigner: FixtureSigner {
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
            parameters =
                (try? FormParameters.decode(body, maxParameters: .max, what: channel.id)) ?? FormParameters()
        }
        let url = twilioWebhookURL(publicURL: context.publicURL, channelID: channel.id, kind: kind, query: query)
        let signature = TwilioSignature.compute(
            url: url, parameters: parameters, authToken: channel.credential("authToken") ?? "")
        return (query, replacingHeader(headers, name: TwilioSignature.headerName, value: signature))
    }
}
