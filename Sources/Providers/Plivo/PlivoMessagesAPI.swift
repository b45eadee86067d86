import Curl
import Foundation
import Switchboard

/// Sends replies through Plivo's Message API (providers.md §5.3).
///
/// ``request(for:channel:)`` and ``classify(_:channelID:)`` are pure; ``send(_:)`` only joins them with the client.
public struct PlivoMessagesAPI: RequestResponseAPI {
    public let channel: Configuration.Channel
    let client: CurlClient

    public init(channel: Configuration.Channel, client: CurlClient) {
        self.channel = channel
        self.client = client
    }

    public static let defaultBaseURL = "https://api.plivo.com"

    /// `POST {apiBaseURL}/v1/Account/{authID}/Message/`, Basic `authID:authToken`, JSON with `src` (when known),
    /// `dst`, `text`, `type: sms` and, when known, `url` (the status callback) with `method: POST`. Numbers go
    /// without `+`, as Plivo writes them.
    public static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest {
        let authID = channel.credential("authID") ?? ""
        let authToken = channel.credential("authToken") ?? ""
        var base = channel.apiBaseURL ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        func plain(_ number: String) -> String { number.hasPrefix("+") ? String(number.dropFirst()) : number }
        var body: [String: JSONValue] = [
            "dst": .string(plain(message.to)), "text": .string(message.text), "type": .string("sms"),
        ]
        if let from = message.from ?? channel.numbers.first { body["src"] = .string(plain(from)) }
        if let callback = message.statusCallbackURL {
            body["url"] = .string(callback)
            body["method"] = .string("POST")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(JSONValue.object(body))).map(Array.init) ?? []
        let credentials = Data("\(authID):\(authToken)".utf8).base64EncodedString()
        return CurlRequest(
            method: "POST", url: base + "/v1/Account/\(FormParameters.encodeComponent(authID))/Message/",
            headers: [
                (name: "Authorization", value: "Basic \(credentials)"),
                (name: "Content-Type", value: "application/json"),
                (name: "Accept", value: "application/json"),
            ],
            body: bytes)
    }

    /// What Plivo's answer (or the failure to get one) means for the outbox.
    ///
    /// - 200/201/202 with `message_uuid[0]` → accepted; 429, 408 and 5xx → retry, honouring `Retry-After`;
    ///   connection failures → retry; other answers (400 invalid number, 401 bad credentials, 404) → permanent
    ///   with Plivo's `error` text.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        let response: CurlResponse
        switch result {
        case .failure(let error): return sendFailureOutcome(error, channelID: channelID)
        case .success(let value): response = value
        }
        let json = try? JSONValue.parse(response.body, maxDepth: 64, what: channelID)
        let text = nonEmpty(json?["error"]) ?? nonEmpty(json?["message"])
        let detail = ProviderErrorDetail(
            code: "http-\(response.status)", message: text ?? "\(channelID): Plivo answered HTTP \(response.status)")
        switch response.status {
        case 200...202:
            if let uuid = json?["message_uuid"]?.arrayValue?.first.flatMap(nonEmpty) ?? nonEmpty(json?["message_uuid"])
            {
                return .accepted(providerMessageID: uuid)
            }
            // Not retried: Plivo may have queued the message, and a retry could send it twice.
            return .permanent(
                ProviderErrorDetail(
                    code: "unexpected-response",
                    message: "\(channelID): Plivo answered \(response.status) without a message_uuid"),
                optedOut: false)
        case 429, 408, 500...599:
            return .retryLater(detail, retryAfter: retryAfterSeconds(response))
        default:
            let optedOut = text.map { $0.lowercased().contains("stop") } ?? false
            return .permanent(detail, optedOut: optedOut)
        }
    }
}
