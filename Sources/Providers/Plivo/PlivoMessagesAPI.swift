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
    /// `dst`, `text` (left out for media alone), `type: sms`, or `type: mms` with `media_urls` for a message with
    /// media, and, when known, `url` (the status callback) with `method: POST`. Numbers go without `+`, as Plivo
    /// writes them.
    public static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest {
        let authID = channel.credential("authID") ?? ""
        let authToken = channel.credential("authToken") ?? ""
        var base = channel.apiBaseURL ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        func plain(_ number: String) -> String { number.hasPrefix("+") ? String(number.dropFirst()) : number }
        var body: [String: JSONValue] = [
            "dst": .string(plain(message.to)), "type": .string(message.mediaURLs.isEmpty ? "sms" : "mms"),
        ]
        body["text"] = message.textField.map { .string($0) }
        body["media_urls"] = message.mediaJSON
        if let from = message.from ?? channel.numbers.first { body["src"] = .string(plain(from)) }
        if let callback = message.statusCallbackURL {
            body["url"] = .string(callback)
            body["method"] = .string("POST")
        }
        let credentials = Data("\(authID):\(authToken)".utf8).base64EncodedString()
        return .jsonPost(
            url: base + "/v1/Account/\(FormParameters.encodeComponent(authID))/Message/",
            authorization: "Basic \(credentials)", body: .object(body))
    }

    /// What Plivo's answer (or the failure to get one) means for the outbox.
    ///
    /// - 200/201/202 with `message_uuid[0]` → accepted; 429, 408 and 5xx → retry, honouring `Retry-After`;
    ///   connection failures → retry; other answers (400 invalid number, 401 bad credentials, 404) → permanent
    ///   with Plivo's `error` text.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        answer.classify(result, channelID: channelID)
    }

    static let answer = JSONSendAnswer(
        provider: "Plivo",
        messageID: { $0?["message_uuid"]?.arrayValue?.first.flatMap(nonEmpty) ?? nonEmpty($0?["message_uuid"]) },
        error: { json, status, channelID in
            ProviderErrorDetail(
                code: "http-\(status)",
                message: nonEmpty(json?["error"]) ?? nonEmpty(json?["message"])
                    ?? "\(channelID): Plivo answered HTTP \(status)")
        },
        // Plivo documents no opt-out code; its error text names the STOP the customer sent.
        optedOut: { $0.message.lowercased().contains("stop") })
}
