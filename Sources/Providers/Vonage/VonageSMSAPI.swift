import Curl
import Foundation
import Switchboard

/// Sends replies through Vonage's SMS API (providers.md §3.4).
///
/// ``request(for:channel:)`` and ``classify(_:channelID:)`` are pure; ``send(_:)`` only joins them with the client.
public struct VonageSMSAPI: RequestResponseAPI {
    public let channel: Configuration.Channel
    let client: CurlClient

    public init(channel: Configuration.Channel, client: CurlClient) {
        self.channel = channel
        self.client = client
    }

    public static let defaultBaseURL = "https://rest.nexmo.com"

    /// The send status Vonage answers for a recipient on its barred list (an opt-out).
    public static let barredStatus = "7"

    /// `POST {apiBaseURL}/sms/json`, form body with `api_key`, `api_secret`, `from` (the channel's number without
    /// `+`, or its alphanumeric sender id), `to` (without `+`), `text`, `type=unicode` when the text is not
    /// GSM-7, `callback` and `status-report-req=1` (when a callback is known) and `client-ref` (our message id).
    public static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest {
        var base = channel.apiBaseURL ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        var form = FormParameters([
            .init(name: "api_key", value: channel.credential("apiKey") ?? ""),
            .init(name: "api_secret", value: channel.credential("apiSecret") ?? ""),
        ])
        if let from = message.from ?? channel.numbers.first {
            form.pairs.append(.init(name: "from", value: withoutPlus(from)))
        }
        form.pairs.append(.init(name: "to", value: withoutPlus(message.to)))
        form.pairs.append(.init(name: "text", value: message.text))
        if !isGSM7(message.text) { form.pairs.append(.init(name: "type", value: "unicode")) }
        if let callback = message.statusCallbackURL {
            form.pairs.append(.init(name: "callback", value: callback))
            form.pairs.append(.init(name: "status-report-req", value: "1"))
        }
        form.pairs.append(.init(name: "client-ref", value: message.messageID))
        return CurlRequest(
            method: "POST", url: base + "/sms/json",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "Accept", value: "application/json"),
            ],
            body: Array(form.encoded().utf8))
    }

    /// What Vonage's answer means for the outbox. The API answers HTTP 200 even for errors, so the verdict is
    /// `messages[0].status`: `0` → accepted with `message-id`; `1` (throttled) → retry; `7` (number barred)
    /// → permanent, opted out; others → permanent with `error-text`. HTTP 429, 408 and 5xx and connection
    /// failures → retry; other HTTP errors → permanent.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        let response: CurlResponse
        switch result {
        case .failure(let error): return sendFailureOutcome(error, channelID: channelID)
        case .success(let value): response = value
        }
        let httpDetail = ProviderErrorDetail(
            code: "http-\(response.status)", message: "\(channelID): Vonage answered HTTP \(response.status)")
        switch response.status {
        case 200: break
        case 408, 429, 500...599: return .retryLater(httpDetail, retryAfter: retryAfterSeconds(response))
        default: return .permanent(httpDetail, optedOut: false)
        }
        let json = try? JSONValue.parse(response.body, maxDepth: 64, what: channelID)
        guard let first = json?["messages"]?.arrayValue?.first, let status = first["status"]?.stringValue else {
            // Not retried: Vonage may have queued the message, and a retry could send it twice.
            return .permanent(
                ProviderErrorDetail(
                    code: "unexpected-response", message: "\(channelID): Vonage answered 200 without a message status"),
                optedOut: false)
        }
        let detail = ProviderErrorDetail(
            code: status, message: first["error-text"]?.stringValue ?? VonageStatus.sendErrorMessage(code: status))
        switch status {
        case "0":
            guard let id = first["message-id"]?.stringValue, !id.isEmpty else {
                return .permanent(
                    ProviderErrorDetail(
                        code: "unexpected-response",
                        message: "\(channelID): Vonage accepted the message without a message-id"),
                    optedOut: false)
            }
            return .accepted(providerMessageID: id)
        case "1": return .retryLater(detail, retryAfter: retryAfterSeconds(response))
        case barredStatus: return .permanent(detail, optedOut: true)
        default: return .permanent(detail, optedOut: false)
        }
    }

    /// `+447700900000` → `447700900000`; sender ids are kept as given.
    static func withoutPlus(_ address: String) -> String {
        address.hasPrefix("+") ? String(address.dropFirst()) : address
    }

    /// Whether every character is in the GSM 03.38 default alphabet or its extension table (else the message
    /// must go as `type=unicode` or it arrives garbled).
    public static func isGSM7(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { gsm7.contains($0) }
    }

    private static let gsm7: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
            + "¿abcdefghijklmnopqrstuvwxyzäöñüà" + "\u{0C}^{}\\[~]|€").unicodeScalars)
}
