import Foundation
import Switchboard

/// Verifies and decodes one Plivo channel's webhooks: `inbound` (message URL) and `status` (the `url` given at
/// send time), as form POSTs or GETs signed with `X-Plivo-Signature-V3`.
///
/// Success answers `200 application/xml` `<Response/>`: replies go out through the Message API, never in-band.
public struct PlivoWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    /// The empty Message XML answer to every accepted webhook.
    public static let emptyResponse = WebhookReply(
        status: 200, headers: ["Content-Type": "application/xml"], body: Array("<Response/>".utf8))

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let what = "\(channel.id) \(request.kind) webhook"
        guard request.kind == "inbound" || request.kind == "status" else {
            throw .notFound("\(channel.id): Plivo has no webhook kind \(request.kind) (use inbound or status)")
        }
        let method = request.method.uppercased()
        let parameters = try FormParameters.ofFormWebhook(
            request, maxParameters: context.limits.maxFormParams, what: what)

        // A GET's parameters are the URL's query, which the signed URL already carries.
        try verifySignature(request, method: method, bodyParameters: method == "POST" ? parameters : FormParameters())

        if request.kind == "inbound" {
            return .events([.message(try inboundMessage(parameters, what: what, now: now))], reply: Self.emptyResponse)
        }
        guard let report = try deliveryReport(parameters, what: what, now: now) else {
            return .immediate(Self.emptyResponse)
        }
        return .events([.status(report)], reply: Self.emptyResponse)
    }

    private func verifySignature(
        _ request: WebhookRequest, method: String, bodyParameters: FormParameters
    ) throws(SwitchboardError) {
        guard let signature = request.header(PlivoSignature.signatureHeader), !signature.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): \(PlivoSignature.signatureHeader) header is missing",
                field: PlivoSignature.signatureHeader)
        }
        guard let nonce = request.header(PlivoSignature.nonceHeader), !nonce.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): \(PlivoSignature.nonceHeader) header is missing", field: PlivoSignature.nonceHeader)
        }
        // The URL Plivo called, rebuilt from `publicURL` (never the `Host` header); the helper is Twilio's, the
        // URL shape is the same.
        let url = twilioWebhookURL(
            publicURL: context.publicURL, channelID: channel.id, kind: request.kind, query: request.query)
        let valid = PlivoSignature.isValid(
            header: signature, method: method, url: url, parameters: bodyParameters, nonce: nonce,
            authToken: channel.credential("authToken") ?? "")
        guard valid else {
            throw .signatureInvalid(
                "\(channel.id): \(PlivoSignature.signatureHeader) does not match; check authToken and publicURL",
                field: PlivoSignature.signatureHeader)
        }
    }

    private func required(
        _ parameters: FormParameters, _ name: String, what: String
    ) throws(SwitchboardError) -> String {
        guard let value = parameters.first(name), !value.isEmpty else { throw .missingField(name, in: what) }
        return value
    }

    func inboundMessage(_ p: FormParameters, what: String, now: Date) throws(SwitchboardError) -> InboundMessage {
        let uuid = try required(p, "MessageUUID", what: what)
        let from = try required(p, "From", what: what)
        let to = try required(p, "To", what: what)
        let text = p.first("Text").flatMap { $0.isEmpty ? nil : $0 } ?? p.first("Body") ?? ""
        return InboundMessage(
            providerMessageID: uuid, dedupeKey: uuid, from: from, to: to, text: text, media: media(p), medium: .sms,
            receivedAt: now)
    }

    /// `Media1`…`MediaN` (1-based; N = `MediaCount` when given, else as long as they continue). Plivo sends no
    /// per-item type; a `MediaContentType{N}` or WhatsApp's `MimeType` (single item) is used when present.
    func media(_ p: FormParameters) -> [MediaAttachment] {
        let declared = p.first("MediaCount").flatMap { Int($0.trimmingWhitespaces()) }
        let limit = min(declared ?? Int.max, p.pairs.count)
        var attachments: [MediaAttachment] = []
        var index = 1
        while index <= limit {
            let url = p.first("Media\(index)") ?? p.first("MediaUrl\(index)")
            if declared == nil && url == nil { break }
            if let url, !url.isEmpty {
                let type = [p.first("MediaContentType\(index)"), declared == 1 ? p.first("MimeType") : nil]
                    .compactMap { $0 }.first { !$0.isEmpty }
                attachments.append(MediaAttachment(url: url, contentType: type ?? "application/octet-stream"))
            }
            index += 1
        }
        return attachments
    }

    func deliveryReport(_ p: FormParameters, what: String, now: Date) throws(SwitchboardError) -> DeliveryReport? {
        let uuid = try required(p, "MessageUUID", what: what)
        let plivoStatus = try required(p, "Status", what: what)
        guard var status = PlivoStatus.messageStatus(plivoStatus) else { return nil }
        var error: ProviderErrorDetail?
        var optedOut = false
        if let code = p.first("ErrorCode")?.trimmingWhitespaces(), PlivoStatus.isError(code) {
            let message =
                code == PlivoStatus.optedOutErrorCode
                ? "Source number blocked by STOP from destination" : "Plivo error \(code)"
            error = ProviderErrorDetail(code: code, message: message)
            if code == PlivoStatus.optedOutErrorCode {
                optedOut = true
                status = .optedOut
            }
        }
        return DeliveryReport(
            providerMessageID: uuid, dedupeKey: uuid + ":" + plivoStatus, status: status, error: error,
            optedOut: optedOut, receivedAt: now)
    }
}
