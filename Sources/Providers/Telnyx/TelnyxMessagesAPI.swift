import Curl
import Foundation
import Switchboard

/// Sends replies through Telnyx's Messages API v2 (providers.md §4.3).
///
/// ``request(for:channel:)`` and ``classify(_:channelID:)`` are pure; ``send(_:)`` only joins them with the client.
public struct TelnyxMessagesAPI: RequestResponseAPI {
    public let channel: Configuration.Channel
    let client: CurlClient

    public init(channel: Configuration.Channel, client: CurlClient) {
        self.channel = channel
        self.client = client
    }

    public static let defaultBaseURL = "https://api.telnyx.com"

    /// `POST {apiBaseURL}/v2/messages`, `Authorization: Bearer <apiKey>`, JSON with `from` (when known), `to`,
    /// `text` (left out for media alone), `media_urls` (with media: Telnyx sends an MMS), `messaging_profile_id`
    /// (when configured) and `webhook_url` (the delivery report URL, `…/events`).
    public static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest {
        var base = channel.apiBaseURL ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        var body: [String: JSONValue] = ["to": .string(message.to)]
        body["text"] = message.textField.map { .string($0) }
        body["media_urls"] = message.mediaJSON
        if let from = message.from ?? channel.numbers.first { body["from"] = .string(from) }
        if let profile = channel.credential("messagingProfileID") { body["messaging_profile_id"] = .string(profile) }
        if let callback = message.statusCallbackURL { body["webhook_url"] = .string(callback) }
        return .jsonPost(
            url: base + "/v2/messages", authorization: "Bearer \(channel.credential("apiKey") ?? "")",
            body: .object(body))
    }

    /// What Telnyx's answer (or the failure to get one) means for the outbox.
    ///
    /// - 200/201/202 with `data.id` → accepted; 429 (code 10011) → retry, honouring `Retry-After`; 408 and 5xx →
    ///   retry; connection failures → retry; code 40300 → permanent, opted out; other answers → permanent with
    ///   Telnyx's first error code and detail.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        answer.classify(result, channelID: channelID)
    }

    static let answer = JSONSendAnswer(
        provider: "Telnyx", messageID: { nonEmpty($0?["data"]?["id"]) },
        error: { json, status, channelID in
            let first = json?["errors"]?.arrayValue?.first
            return ProviderErrorDetail(
                code: nonEmpty(first?["code"]) ?? "http-\(status)",
                message: nonEmpty(first?["detail"]) ?? nonEmpty(first?["title"])
                    ?? "\(channelID): Telnyx answered HTTP \(status)")
        },
        optedOut: { $0.code == TelnyxStatus.optedOutErrorCode })
}
