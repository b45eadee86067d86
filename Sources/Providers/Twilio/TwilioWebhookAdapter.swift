import Foundation
import Switchboard

/// Verifies and decodes one Twilio channel's webhooks (`inbound`, `status`; voice kinds in `TwilioVoice.swift`).
///
/// Success answers `200 text/xml` with exactly `<Response/>` (no XML declaration): Twilio accepts the bare
/// empty TwiML document, and replies go out through the Messages API, never in-band.
public struct TwilioWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext
    /// The auth token as an HMAC key, and the URLs each webhook kind may have been signed over (for a request
    /// without a query, as Twilio calls them), made once rather than at every webhook.
    let signingKey: TwilioSignature.Key
    let candidateURLs: [String: [String]]

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
        signingKey = TwilioSignature.Key(authToken: channel.credential("authToken") ?? "")
        var candidateURLs: [String: [String]] = [:]
        for kind in ["inbound", "status"] + Self.voiceKinds {
            candidateURLs[kind] = TwilioSignature.candidateURLs(
                twilioWebhookURL(publicURL: context.publicURL, channelID: channel.id, kind: kind, query: ""))
        }
        self.candidateURLs = candidateURLs
    }

    /// The empty TwiML answer to every accepted message webhook.
    public static let emptyResponse = WebhookReply(
        status: 200, headers: ["Content-Type": "text/xml"], body: Array("<Response/>".utf8))

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let what = "\(channel.id) \(request.kind) webhook"
        switch request.kind {
        case "inbound", "status": break
        case let kind where Self.voiceKinds.contains(kind): break
        default:
            throw .notFound(
                "\(channel.id): Twilio has no webhook kind \(request.kind) "
                    + "(use inbound, status, voice, handoff or call-status)")
        }

        let method = request.method.uppercased()
        let parameters = try FormParameters.ofFormWebhook(
            request, maxParameters: context.limits.maxFormParams, what: what)

        try verifySignature(request, parameters: method == "POST" ? parameters : FormParameters())

        switch request.kind {
        case let kind where Self.voiceKinds.contains(kind):
            return try voiceResult(kind: kind, parameters, what: what, now: now)
        case "inbound":
            return .events([.message(try inboundMessage(parameters, what: what, now: now))], reply: Self.emptyResponse)
        default:
            guard let report = try deliveryReport(parameters, what: what, now: now) else {
                // A status that says nothing about delivery (e.g. `receiving`): acknowledged, not stored.
                return .immediate(Self.emptyResponse)
            }
            return .events([.status(report)], reply: Self.emptyResponse)
        }
    }

    /// The URL Twilio called, rebuilt from `publicURL` (never the `Host` header).
    func signedURL(kind: String, query: String) -> String {
        twilioWebhookURL(publicURL: context.publicURL, channelID: channel.id, kind: kind, query: query)
    }

    private func verifySignature(_ request: WebhookRequest, parameters: FormParameters) throws(SwitchboardError) {
        guard let signature = request.header(TwilioSignature.headerName), !signature.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): \(TwilioSignature.headerName) header is missing", field: TwilioSignature.headerName)
        }
        let candidates =
            (request.query.isEmpty ? candidateURLs[request.kind] : nil)
            ?? TwilioSignature.candidateURLs(signedURL(kind: request.kind, query: request.query))
        let valid = TwilioSignature.isValid(
            signature: signature, candidates: candidates, parameters: parameters, key: signingKey)
        guard valid else {
            throw .signatureInvalid(
                "\(channel.id): X-Twilio-Signature does not match; check authToken and publicURL",
                field: TwilioSignature.headerName)
        }
    }

    func required(
        _ parameters: FormParameters, _ name: String, what: String
    ) throws(SwitchboardError)
        -> String
    {
        guard let value = parameters.first(name), !value.isEmpty else { throw .missingField(name, in: what) }
        return value
    }

    func inboundMessage(_ p: FormParameters, what: String, now: Date) throws(SwitchboardError) -> InboundMessage {
        guard let sid = [p.first("MessageSid"), p.first("SmsSid")].compactMap({ $0 }).first(where: { !$0.isEmpty })
        else { throw .missingField("MessageSid", in: what) }
        let from = try required(p, "From", what: what)
        let to = try required(p, "To", what: what)
        return InboundMessage(
            providerMessageID: sid, dedupeKey: sid, from: from, to: to, text: p.first("Body") ?? "",
            media: media(p), medium: .sms, receivedAt: now)
    }

    /// `MediaUrl{N}` / `MediaContentType{N}` for N below `NumMedia` (or, without `NumMedia`, as long as they
    /// continue); an attachment without a URL is skipped.
    func media(_ p: FormParameters) -> [MediaAttachment] {
        let declared = p.first("NumMedia").flatMap { Int($0.trimmingWhitespaces()) }
        var attachments: [MediaAttachment] = []
        var index = 0
        while index < min(declared ?? Int.max, p.pairs.count) {
            let url = p.first("MediaUrl\(index)")
            if declared == nil && url == nil { break }
            if let url, !url.isEmpty {
                let type = p.first("MediaContentType\(index)").flatMap { $0.isEmpty ? nil : $0 }
                attachments.append(MediaAttachment(url: url, contentType: type ?? "application/octet-stream"))
            }
            index += 1
        }
        return attachments
    }

    func deliveryReport(_ p: FormParameters, what: String, now: Date) throws(SwitchboardError) -> DeliveryReport? {
        let sid = try required(p, "MessageSid", what: what)
        let twilioStatus = try required(p, "MessageStatus", what: what)
        guard var status = TwilioStatus.messageStatus(twilioStatus) else { return nil }
        var error: ProviderErrorDetail?
        var optedOut = false
        if let code = p.first("ErrorCode")?.trimmingWhitespaces(), !code.isEmpty, code != "0" {
            error = ProviderErrorDetail(code: code, message: TwilioStatus.errorMessage(code: code))
            if code == TwilioStatus.optedOutErrorCode {
                optedOut = true
                status = .optedOut
            }
        }
        return DeliveryReport(
            providerMessageID: sid, dedupeKey: sid + ":" + twilioStatus, status: status, error: error,
            optedOut: optedOut, receivedAt: now)
    }
}

/// `publicURL + "/webhooks/{channelId}/{kind}"` plus `"?" + query` when there is one.
func twilioWebhookURL(publicURL: String, channelID: String, kind: String, query: String) -> String {
    var base = publicURL
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/webhooks/\(channelID)/\(kind)" + (query.isEmpty ? "" : "?" + query)
}
