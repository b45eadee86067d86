import Curl
import Foundation
import Switchboard

/// Sends replies through TeleSign's Messaging API (providers.md §6.3).
///
/// ``request(for:channel:)`` and ``classify(_:channelID:)`` are pure; ``send(_:)`` only joins them with the client.
/// TeleSign sends delivery reports to the account's registered callback URL, so no callback goes with the request.
public struct TeleSignMessagingAPI: RequestResponseAPI {
    public let channel: Configuration.Channel
    let client: CurlClient

    public init(channel: Configuration.Channel, client: CurlClient) {
        self.channel = channel
        self.client = client
    }

    public static let defaultBaseURL = "https://rest-api.telesign.com"

    /// `POST {apiBaseURL}/v1/messaging`, signed with TeleSign's HMAC scheme (the API key never travels), form
    /// body `phone_number` (without `+`),
    /// `message`, `message_type=ARN` (alerts and reminders: conversational replies) and `external_id` (our
    /// message id, so TeleSign's reports can be matched by people reading both sides).
    public static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest {
        request(for: message, channel: channel, date: Date(), nonce: UUID().uuidString)
    }

    /// The request signed at `date` with `nonce` (fixed in tests to check the signature).
    public static func request(
        for message: OutboundMessage, channel: Configuration.Channel, date: Date, nonce: String
    ) -> CurlRequest {
        var base = channel.apiBaseURL ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        let phone = message.to.hasPrefix("+") ? String(message.to.dropFirst()) : message.to
        let form = FormParameters([
            .init(name: "phone_number", value: phone), .init(name: "message", value: message.text),
            .init(name: "message_type", value: "ARN"), .init(name: "external_id", value: message.messageID),
        ])
        let body = form.encoded()
        // The key was checked when the configuration was validated; an undecodable one fails as 401 at TeleSign.
        let signed =
            TeleSignRequestSigning.headers(
                customerID: channel.credential("customerID") ?? "", apiKey: channel.credential("apiKey") ?? "",
                method: "POST", contentType: "application/x-www-form-urlencoded", body: body,
                resource: "/v1/messaging", date: date, nonce: nonce)
            ?? [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
        return CurlRequest(
            method: "POST", url: base + "/v1/messaging",
            headers: signed + [(name: "Accept", value: "application/json")], body: Array(body.utf8))
    }

    /// What TeleSign's answer (or the failure to get one) means for the outbox.
    ///
    /// - 200/201/202 with `reference_id` → accepted; 429, 408 and 5xx → retry, honouring `Retry-After`;
    ///   connection failures → retry; other answers (400 invalid number, 401 bad credentials) → permanent with
    ///   TeleSign's first error code and description (else `status.code`).
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        let response: CurlResponse
        switch result {
        case .failure(let error): return sendFailureOutcome(error, channelID: channelID)
        case .success(let value): response = value
        }
        let json = try? JSONValue.parse(response.body, maxDepth: 64, what: channelID)
        let firstError = json?["errors"]?.arrayValue?.first
        let statusCode = nonEmpty(json?["status"]?["code"])
        let detail = ProviderErrorDetail(
            code: nonEmpty(firstError?["code"]) ?? statusCode ?? "http-\(response.status)",
            message: nonEmpty(firstError?["description"]) ?? nonEmpty(json?["status"]?["description"])
                ?? "\(channelID): TeleSign answered HTTP \(response.status)")
        switch response.status {
        case 200...202:
            if let id = nonEmpty(json?["reference_id"]) { return .accepted(providerMessageID: id) }
            // Not retried: TeleSign may have queued the message, and a retry could send it twice.
            return .permanent(
                ProviderErrorDetail(
                    code: "unexpected-response",
                    message: "\(channelID): TeleSign answered \(response.status) without a reference_id"),
                optedOut: false)
        case 429, 408, 500...599:
            return .retryLater(detail, retryAfter: retryAfterSeconds(response))
        default:
            return .permanent(detail, optedOut: statusCode == String(TeleSignStatus.optedOutCode))
        }
    }
}
