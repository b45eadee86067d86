import Crypto
import Foundation
import Switchboard

/// Verifies and decodes one generic bot channel's handoffs (kind `handoff`, CONTRACT.md §4): a Standard Webhooks
/// signed JSON body becomes a ``BotHandoff``, answered `{"conversationId": …}` once stored.
///
/// The signature is checked before the timestamp window, so only a genuine request is refused as stale; the store
/// applies the window after its dedupe check, so a stale redelivery of a stored handoff gets the duplicate's
/// success (CONTRACT.md §3 "Replay windows").
public struct BotWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    /// The replay window when the channel does not set `replayWindowSeconds` (the Standard Webhooks tolerance).
    public static let defaultReplayWindowSeconds = 300

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let body = try JSONWebhookBody(
            request, channel: channel, owner: "a bot channel", kinds: ["handoff"], limits: context.limits)
        let (what, document) = (body.what, body.document)
        let (id, replayGuard) = try verify(request, now: now)

        guard document["type"]?.stringValue == "handoff" else {
            throw document["type"] == nil
                ? .missingField("type", in: what) : .invalidRequest("\(what): type must be handoff", field: "type")
        }
        guard let mediumName = nonEmpty(document["channel"]) else { throw .missingField("channel", in: what) }
        guard let medium = Medium(rawValue: mediumName), medium == .voice || medium == .sms else {
            throw .invalidRequest("\(what): channel must be voice or sms, not \(mediumName)", field: "channel")
        }
        guard let phone = nonEmpty(document["customer"]?["phone"]) else {
            throw .missingField("customer.phone", in: what)
        }
        let priority = try Self.priority(document["priority"], what: what)
        let transcript = Self.transcript(document["bot"]?["transcript"])
        let handoff = BotHandoff(
            dedupeKey: id, customerPhone: phone, medium: medium, transcript: transcript,
            contextJSON: Self.contextJSON(document, priority: priority), priority: priority, receivedAt: now,
            replayGuard: replayGuard)
        return .conversationEvent(.handoff(handoff)) { conversationID in
            WebhookReply(
                status: 200, headers: ["Content-Type": "application/json"],
                body: Self.encode(.object(["conversationId": .string(conversationID)])))
        }
    }

    /// Headers present (else `signature-missing`), signature valid (else `signature-invalid`), then the window.
    private func verify(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> (String, ReplayGuard) {
        var values: [String] = []
        for name in [
            StandardWebhookSignature.idHeader, StandardWebhookSignature.timestampHeader,
            StandardWebhookSignature.signatureHeader,
        ] {
            guard let value = request.header(name), !value.isEmpty else {
                throw .signatureMissing("\(channel.id): \(name) header is missing", field: name)
            }
            values.append(value)
        }
        let (id, timestamp, signature) = (values[0], values[1], values[2])
        guard let key = StandardWebhookSignature.key(fromSecret: channel.credential("secret") ?? ""),
            StandardWebhookSignature.isValid(
                header: signature, id: id, timestamp: timestamp, body: request.body, key: key)
        else {
            throw .signatureInvalid(
                "\(channel.id): \(StandardWebhookSignature.signatureHeader) does not match; check secret",
                field: StandardWebhookSignature.signatureHeader)
        }
        guard let seconds = Double(timestamp.trimmingWhitespaces()) else {
            throw .timestampOutsideWindow(
                "\(channel.id): \(StandardWebhookSignature.timestampHeader) is not a unix time",
                field: StandardWebhookSignature.timestampHeader)
        }
        let window = Double(channel.replayWindowSeconds ?? Self.defaultReplayWindowSeconds)
        let replayGuard = ReplayGuard(
            nonce: nil, outsideWindow: abs(now.timeIntervalSince1970 - seconds) > window,
            windowStart: now.addingTimeInterval(-window), timestampField: StandardWebhookSignature.timestampHeader)
        return (id, replayGuard)
    }

    /// An integer, default 0.
    static func priority(_ value: JSONValue?, what: String) throws(SwitchboardError) -> Int {
        guard let value, value != .null else { return 0 }
        guard let number = value.numberValue, number.rounded() == number, abs(number) < 1e9 else {
            throw .invalidRequest("\(what): priority must be an integer", field: "priority")
        }
        return Int(number)
    }

    /// Lines with text, in order; `from: "customer"` is the customer, anything else the bot.
    static func transcript(_ value: JSONValue?) -> [TranscriptLine] {
        (value?.arrayValue ?? []).compactMap { line in
            guard let text = line["text"]?.stringValue, !text.isEmpty else { return nil }
            return TranscriptLine(author: line["from"]?.stringValue == "customer" ? .customer : .bot, text: text)
        }
    }

    /// `{"bot": {id, language, lastTopic, summary, variables}, "reason", "priority", "transcript", "callId"}`:
    /// what the notification and `GET /v1/conversations/{id}` show.
    static func contextJSON(_ document: JSONValue, priority: Int) -> String {
        let bot = document["bot"] ?? .null
        var botContext: [String: JSONValue] = [:]
        for key in ["id", "language", "lastTopic", "summary", "variables"] {
            if let value = bot[key], value != .null { botContext[key] = value }
        }
        var context: [String: JSONValue] = [
            "bot": .object(botContext), "priority": .number(Double(priority)),
            "transcript": .array(
                transcript(bot["transcript"]).map { line in
                    .object(["from": .string(line.author.rawValue), "text": .string(line.text)])
                }),
        ]
        if let reason = document["reason"]?.stringValue { context["reason"] = .string(reason) }
        if let callID = nonEmpty(document["callId"]) { context["callId"] = .string(callID) }
        return String(decoding: encode(.object(context)), as: UTF8.self)
    }

    static func encode(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: it holds only JSON.
        return Array((try? encoder.encode(value)) ?? Data("null".utf8))
    }
}
