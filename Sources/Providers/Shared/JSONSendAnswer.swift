import Curl
import Foundation
import Switchboard

/// What a JSON send API's answer (or the failure to get one) means for the outbox, in the shape Telnyx, Plivo and
/// Bandwidth share: 200–202 with the message's id → accepted, without one → permanent (never retried: the provider
/// may have queued the message, and a retry could send it twice); 429, 408 and 5xx → retry, honouring
/// `Retry-After`; connection failures → retry; anything else → permanent with the provider's error, opted out when
/// the provider says so. What differs — where the id and the error are — each provider passes in.
struct JSONSendAnswer: Sendable {
    /// The provider's name in messages (`"Telnyx"`).
    let provider: String
    /// The message id in a 2xx answer, or `nil`.
    let messageID: @Sendable (JSONValue?) -> String?
    /// The provider's error in a non-2xx answer (`status` given for the fallback).
    let error: @Sendable (_ json: JSONValue?, _ status: Int, _ channelID: String) -> ProviderErrorDetail
    /// Whether a permanent error means the customer opted out.
    var optedOut: @Sendable (ProviderErrorDetail) -> Bool = { _ in false }

    func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        let response: CurlResponse
        switch result {
        case .failure(let failure): return sendFailureOutcome(failure, channelID: channelID)
        case .success(let value): response = value
        }
        let json = try? JSONValue.parse(response.body, maxDepth: 64, what: channelID)
        switch response.status {
        case 200...202:
            if let id = messageID(json) { return .accepted(providerMessageID: id) }
            return .permanent(
                ProviderErrorDetail(
                    code: "unexpected-response",
                    message: "\(channelID): \(provider) answered \(response.status) without a message id"),
                optedOut: false)
        case 429, 408, 500...599:
            return .retryLater(error(json, response.status, channelID), retryAfter: retryAfterSeconds(response))
        default:
            let detail = error(json, response.status, channelID)
            return .permanent(detail, optedOut: optedOut(detail))
        }
    }
}

extension CurlRequest {
    /// A JSON API's `POST`: `body` encoded with sorted keys and unescaped slashes (the bytes the providers' tests
    /// expect), `Content-Type` and `Accept` JSON, and the given `Authorization`.
    static func jsonPost(url: String, authorization: String, body: JSONValue) -> CurlRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return CurlRequest(
            method: "POST", url: url,
            headers: [
                (name: "Authorization", value: authorization),
                (name: "Content-Type", value: "application/json"),
                (name: "Accept", value: "application/json"),
            ],
            body: (try? encoder.encode(body)).map(Array.init) ?? [])
    }
}
