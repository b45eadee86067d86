import Foundation
import Switchboard

/// Verifies and decodes one TeleSign channel's callbacks: `inbound` (MO SMS/MMS) and `status` (delivery reports).
///
/// TeleSign posts both to the one callback URL registered for the account, so the payload decides: an MO message
/// (`sub_resource` `mo_sms`/`mo_mms`, or a `user_response`) is a message and a body with `status.code` a delivery
/// report, on either route; anything else is read as the route's kind says.
public struct TeleSignWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let body = try JSONWebhookBody(
            request, channel: channel, owner: "TeleSign", kinds: ["inbound", "status"], limits: context.limits)
        let (what, document) = (body.what, body.document)
        try verifySignature(request)
        guard let referenceID = nonEmpty(document["reference_id"]) else {
            throw .missingField("reference_id", in: what)
        }
        let subResource = nonEmpty(document["sub_resource"]) ?? nonEmpty(document["subresource"]) ?? ""
        let isMO = subResource.hasPrefix("mo_") || document["user_response"] != nil
        let isReport = !isMO && document["status"]?["code"] != nil
        if isMO || (request.kind == "inbound" && !isReport) {
            let message = try inboundMessage(document, referenceID: referenceID, what: what, now: now)
            return .events([.message(message)], reply: WebhookReply(status: 200))
        }
        guard let report = deliveryReport(document, referenceID: referenceID, now: now) else {
            return .immediate(WebhookReply(status: 200))
        }
        return .events([.status(report)], reply: WebhookReply(status: 200))
    }

    private func verifySignature(_ request: WebhookRequest) throws(SwitchboardError) {
        let field = TeleSignSignature.headerName
        guard let header = request.header(field), !header.isEmpty else {
            throw .signatureMissing("\(channel.id): \(field) header is missing", field: field)
        }
        guard let signature = TeleSignSignature.signature(fromAuthorization: header),
            TeleSignSignature.isValid(
                signature: signature, body: request.body, apiKey: channel.credential("apiKey") ?? "")
        else {
            throw .signatureInvalid("\(channel.id): \(field) does not match; check apiKey", field: field)
        }
    }

    /// `user_response.phone_number` (sender, no `+`), `user_response.sender_id` (our number or short code),
    /// `mo_message`; MMS: `content.text_N` joined and `content.url_image_N` / `url_video_N` / `url_audio_N`.
    func inboundMessage(
        _ document: JSONValue, referenceID: String, what: String, now: Date
    ) throws(SwitchboardError) -> InboundMessage {
        let user = document["user_response"] ?? .null
        guard let from = nonEmpty(user["phone_number"]) else {
            throw .missingField("user_response.phone_number", in: what)
        }
        let to = nonEmpty(user["sender_id"]) ?? channel.numbers.first ?? ""
        let content = document["content"] ?? .null
        var text = user["mo_message"]?.stringValue ?? ""
        if text.isEmpty {
            text = (1...10).compactMap { nonEmpty(content["text_\($0)"]) }.joined(separator: "\n")
        }
        var media: [MediaAttachment] = []
        for (prefix, type) in [("url_image_", "image/*"), ("url_video_", "video/*"), ("url_audio_", "audio/*")] {
            for index in 1...10 {
                guard let url = nonEmpty(content["\(prefix)\(index)"]) else { break }
                media.append(MediaAttachment(url: url, contentType: type))
            }
        }
        let submitted = document["submit_timestamp"]?.stringValue.flatMap(HTTPDate.rfc3339)
        return InboundMessage(
            providerMessageID: referenceID, dedupeKey: referenceID, from: from, to: to, text: text, media: media,
            medium: .sms, receivedAt: submitted ?? now)
    }

    /// `status.code` mapped by ``TeleSignStatus``; the code and description are kept as the error of a message
    /// that did not arrive. `nil` when the code says nothing new.
    func deliveryReport(_ document: JSONValue, referenceID: String, now: Date) -> DeliveryReport? {
        let statusObject = document["status"] ?? .null
        guard let codeText = nonEmpty(statusObject["code"]), let code = Int(codeText),
            let status = TeleSignStatus.messageStatus(code: code)
        else { return nil }
        let description = nonEmpty(statusObject["description"]) ?? "TeleSign status \(code)"
        let failed = status == .failed || status == .undelivered || status == .optedOut
        return DeliveryReport(
            providerMessageID: referenceID, dedupeKey: referenceID + ":" + codeText, status: status,
            error: failed ? ProviderErrorDetail(code: codeText, message: description) : nil,
            optedOut: status == .optedOut, receivedAt: now)
    }
}
