import Foundation
import Switchboard

/// Verifies and decodes one Telnyx channel's webhooks (kind `events`): `message.received` becomes an inbound
/// message, `message.sent` and `message.finalized` delivery reports; other event types are answered `200` and
/// not stored (CONTRACT.md §3).
///
/// The signature is checked before the timestamp window so a stale request is only refused as stale when it
/// is genuinely Telnyx's (the window protects against replays, not forgeries).
public struct TelnyxWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    /// The replay window when the channel does not set `replayWindowSeconds` (the SDK's tolerance).
    public static let defaultReplayWindowSeconds = 300

    static let receivedEvent = "message.received"
    static let reportEvents: Set<String> = ["message.sent", "message.finalized"]

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let body = try JSONWebhookBody(
            request, channel: channel, owner: "Telnyx", kinds: ["events"], limits: context.limits)
        let (what, document) = (body.what, body.document)
        let replayGuard = try verify(request, now: now)

        let data = document["data"] ?? .null
        guard let eventID = nonEmpty(data["id"]) else { throw .missingField("data.id", in: what) }
        guard let eventType = nonEmpty(data["event_type"]) else { throw .missingField("data.event_type", in: what) }
        guard eventType == Self.receivedEvent || Self.reportEvents.contains(eventType) else {
            return .immediate(WebhookReply(status: 200))
        }
        let payload = data["payload"] ?? .null
        guard let messageID = nonEmpty(payload["id"]) else { throw .missingField("data.payload.id", in: what) }
        let receivedAt = data["occurred_at"]?.stringValue.flatMap(HTTPDate.rfc3339) ?? now
        if eventType == Self.receivedEvent {
            var message = try inboundMessage(
                payload, messageID: messageID, eventID: eventID, what: what, receivedAt: receivedAt)
            message.replayGuard = replayGuard
            return .events([.message(message)], reply: WebhookReply(status: 200))
        }
        guard
            var report = deliveryReport(
                payload, eventType: eventType, messageID: messageID, eventID: eventID, receivedAt: receivedAt)
        else { return .immediate(WebhookReply(status: 200)) }
        report.replayGuard = replayGuard
        return .events([.status(report)], reply: WebhookReply(status: 200))
    }

    /// Signature first (missing → `signature-missing`, wrong → `signature-invalid`), then the timestamp window.
    /// A validly signed request outside the window is not refused here: the store refuses it unless the event is
    /// already stored, whose redelivery gets the duplicate's success (CONTRACT.md §3 "Replay windows").
    private func verify(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> ReplayGuard {
        guard let signature = request.header(TelnyxSignature.signatureHeader), !signature.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): \(TelnyxSignature.signatureHeader) header is missing",
                field: TelnyxSignature.signatureHeader)
        }
        guard let timestamp = request.header(TelnyxSignature.timestampHeader), !timestamp.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): \(TelnyxSignature.timestampHeader) header is missing",
                field: TelnyxSignature.timestampHeader)
        }
        let valid = TelnyxSignature.isValid(
            signature: signature, timestamp: timestamp, body: request.body,
            publicKey: channel.credential("publicKey") ?? "")
        guard valid else {
            throw .signatureInvalid(
                "\(channel.id): \(TelnyxSignature.signatureHeader) does not match; check publicKey",
                field: TelnyxSignature.signatureHeader)
        }
        let window = Double(channel.replayWindowSeconds ?? Self.defaultReplayWindowSeconds)
        guard let seconds = Double(timestamp.trimmingWhitespaces()) else {
            throw .timestampOutsideWindow(
                "\(channel.id): \(TelnyxSignature.timestampHeader) is not a unix time",
                field: TelnyxSignature.timestampHeader)
        }
        return ReplayGuard(
            nonce: nil, outsideWindow: abs(now.timeIntervalSince1970 - seconds) > window,
            windowStart: now.addingTimeInterval(-window), timestampField: TelnyxSignature.timestampHeader)
    }

    func inboundMessage(
        _ payload: JSONValue, messageID: String, eventID: String, what: String, receivedAt: Date
    ) throws(SwitchboardError) -> InboundMessage {
        guard let from = nonEmpty(payload["from"]?["phone_number"]) else {
            throw .missingField("data.payload.from.phone_number", in: what)
        }
        guard let to = payload["to"]?.arrayValue?.lazy.compactMap({ nonEmpty($0["phone_number"]) }).first else {
            throw .missingField("data.payload.to", in: what)
        }
        let media: [MediaAttachment] = (payload["media"]?.arrayValue ?? []).compactMap { item in
            guard let url = nonEmpty(item["url"]) else { return nil }
            return MediaAttachment(url: url, contentType: nonEmpty(item["content_type"]) ?? "application/octet-stream")
        }
        return InboundMessage(
            providerMessageID: messageID, dedupeKey: eventID, from: from, to: to,
            text: payload["text"]?.stringValue ?? "", media: media, medium: .sms, receivedAt: receivedAt)
    }

    /// `message.sent` is `sent`; `message.finalized` carries the recipient's final status. Error 40300 (the
    /// recipient sent STOP) makes it `opted-out`. `nil` when the event says nothing about delivery.
    func deliveryReport(
        _ payload: JSONValue, eventType: String, messageID: String, eventID: String, receivedAt: Date
    ) -> DeliveryReport? {
        let recipientStatus = payload["to"]?.arrayValue?.first?["status"]?.stringValue
        var status: MessageStatus? =
            eventType == "message.sent" ? .sent : recipientStatus.flatMap(TelnyxStatus.messageStatus)
        var error: ProviderErrorDetail?
        var optedOut = false
        if let first = payload["errors"]?.arrayValue?.first, let code = nonEmpty(first["code"]) {
            let text = nonEmpty(first["detail"]) ?? nonEmpty(first["title"]) ?? "Telnyx error \(code)"
            error = ProviderErrorDetail(code: code, message: text)
            if code == TelnyxStatus.optedOutErrorCode {
                optedOut = true
                status = .optedOut
            } else if eventType == "message.finalized", status == nil {
                // A finalized message with an error and no recognised status did not arrive.
                status = .failed
            }
        }
        guard let status else { return nil }
        return DeliveryReport(
            providerMessageID: messageID, dedupeKey: eventID, status: status, error: error, optedOut: optedOut,
            receivedAt: receivedAt)
    }
}

/// A string member that is present and not empty (numbers written as ids count).
func nonEmpty(_ value: JSONValue?) -> String? {
    guard let string = value?.stringValue, !string.isEmpty else { return nil }
    return string
}
