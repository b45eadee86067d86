import Foundation
import Switchboard

/// Verifies and decodes one Bandwidth channel's callbacks (kind `events`): a JSON array of callbacks, each
/// `message-received` (an inbound SMS or MMS) or a delivery callback (`message-sending`, `message-sent`,
/// `message-delivered`, `message-failed`); other types are answered `200` and not stored (CONTRACT.md §3).
///
/// Authentication is the messaging application's HTTP Basic credentials (`callbackUsername`, `callbackPassword`).
public struct BandwidthWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let body = try JSONWebhookBody(
            request, channel: channel, owner: "Bandwidth", kinds: ["events"], limits: context.limits)
        let (what, document) = (body.what, body.document)
        // Bandwidth always posts an array; a lone callback object is read as a batch of one.
        let callbacks: [JSONValue]
        if let array = document.arrayValue {
            callbacks = array
        } else if document.isObject {
            callbacks = [document]
        } else {
            throw .invalidRequest("\(what): the body must be a JSON array of callbacks")
        }
        try authenticate(request)

        var events: [InboundEvent] = []
        for (index, callback) in callbacks.enumerated() {
            let item = callbacks.count == 1 ? what : "\(what) (callback \(index + 1) of \(callbacks.count))"
            guard callback.isObject else { throw .invalidRequest("\(item): a callback must be a JSON object") }
            if let event = try event(from: callback, what: item, now: now) { events.append(event) }
        }
        guard !events.isEmpty else { return .immediate(WebhookReply(status: 200)) }
        return .events(events, reply: WebhookReply(status: 200))
    }

    /// Missing `Authorization` → `signature-missing`; anything but the configured Basic credentials →
    /// `signature-invalid`. Neither answer echoes what was sent.
    private func authenticate(_ request: WebhookRequest) throws(SwitchboardError) {
        guard let authorization = request.header(BandwidthBasicAuth.header), !authorization.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): the Authorization header with the callback's Basic credentials is missing",
                field: BandwidthBasicAuth.header)
        }
        let valid = BandwidthBasicAuth.matches(
            authorization, username: channel.credential("callbackUsername") ?? "",
            password: channel.credential("callbackPassword") ?? "")
        guard valid else {
            throw .signatureInvalid(
                "\(channel.id): the Authorization header's Basic credentials do not match; check callbackUsername "
                    + "and callbackPassword", field: BandwidthBasicAuth.header)
        }
    }

    /// The event one callback asks to store, or `nil` for a type Switchboard does not handle.
    func event(from callback: JSONValue, what: String, now: Date) throws(SwitchboardError) -> InboundEvent? {
        guard let type = nonEmpty(callback["type"]) else { throw .missingField("type", in: what) }
        let message = callback["message"] ?? .null
        guard let messageID = nonEmpty(message["id"]) else { throw .missingField("message.id", in: what) }
        let dedupeKey = type + ":" + messageID
        let receivedAt = callback["time"]?.stringValue.flatMap(HTTPDate.rfc3339) ?? now
        if type == BandwidthStatus.receivedType {
            guard let from = nonEmpty(message["from"]) else { throw .missingField("message.from", in: what) }
            guard let to = nonEmpty(callback["to"]) else { throw .missingField("to", in: what) }
            let media = (message["media"]?.arrayValue ?? []).compactMap(nonEmpty).map {
                MediaAttachment(url: $0, contentType: Self.contentType(ofMediaURL: $0))
            }
            return .message(
                InboundMessage(
                    providerMessageID: messageID, dedupeKey: dedupeKey, from: from, to: to,
                    text: message["text"]?.stringValue ?? "", media: media, medium: .sms, receivedAt: receivedAt))
        }
        guard var status = BandwidthStatus.messageStatus(type) else { return nil }
        var error: ProviderErrorDetail?
        var optedOut = false
        if type == "message-failed" {
            let code = nonEmpty(callback["errorCode"])
            error = ProviderErrorDetail(
                code: code ?? "message-failed",
                message: nonEmpty(callback["description"]) ?? "Bandwidth reported message-failed")
            if let code, BandwidthStatus.optedOutErrorCodes.contains(code) {
                optedOut = true
                status = .optedOut
            }
        }
        return .status(
            DeliveryReport(
                providerMessageID: messageID, dedupeKey: dedupeKey, status: status, error: error, optedOut: optedOut,
                receivedAt: receivedAt))
    }

    /// Bandwidth sends media as bare URLs (`…/media/{messageId}/0/photo.jpg`): the type is read from the file
    /// name's extension, `application/octet-stream` when it says nothing.
    static func contentType(ofMediaURL url: String) -> String {
        let path = url.prefix { $0 != "?" && $0 != "#" }
        guard let name = path.split(separator: "/").last, let dot = name.lastIndex(of: ".") else {
            return "application/octet-stream"
        }
        return mediaTypes[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }

    static let mediaTypes = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp",
        "webp": "image/webp", "heic": "image/heic", "mp4": "video/mp4", "3gp": "video/3gpp", "mp3": "audio/mpeg",
        "amr": "audio/amr", "wav": "audio/wav", "ogg": "audio/ogg", "pdf": "application/pdf", "txt": "text/plain",
        "vcf": "text/vcard", "smil": "application/smil", "xml": "application/xml",
    ]
}
