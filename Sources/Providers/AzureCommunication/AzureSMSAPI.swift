import Curl
import Foundation
import Switchboard

/// Sends replies through the ACS SMS REST API (providers.md §2.9), HMAC-signed with the access key.
///
/// ``request(for:channel:now:)`` and ``classify(_:channelID:)`` are pure; ``send(_:)`` only joins them with the
/// client. Every request carries `repeatabilityRequestId` (the message's idempotency key) and
/// `repeatabilityFirstSent`, so ACS recognises a retry of the same message and never sends it twice.
public struct AzureSMSAPI: ProviderAPI {
    public let channel: Configuration.Channel
    let client: CurlClient
    let now: @Sendable () -> Date

    public init(channel: Configuration.Channel, client: CurlClient, now: @escaping @Sendable () -> Date = Date.init) {
        self.channel = channel
        self.client = client
        self.now = now
    }

    public static let apiVersion = "2021-03-07"

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let request: CurlRequest
        do {
            request = try Self.request(for: message, channel: channel, now: now())
        } catch {
            return .permanent(error.detail, optedOut: false)
        }
        do {
            return Self.classify(.success(try await client.execute(request)), channelID: channel.id)
        } catch {
            return Self.classify(.failure(error), channelID: channel.id)
        }
    }

    /// The send URL: `{apiBaseURL ?? endpoint}/sms?api-version=2021-03-07` (trailing slashes ignored).
    public static func sendURL(channel: Configuration.Channel) -> String {
        var base = channel.apiBaseURL ?? channel.credential("endpoint") ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/sms?api-version=\(apiVersion)"
    }

    struct Body: Encodable {
        struct Recipient: Encodable {
            var to: String
            var repeatabilityRequestId: String
            var repeatabilityFirstSent: String
        }
        struct Options: Encodable {
            var enableDeliveryReport: Bool
        }
        var from: String
        var smsRecipients: [Recipient]
        var message: String
        var smsSendOptions: Options
    }

    /// The signed `POST …/sms` request; throws when none can be built (no sender number, bad key or URL).
    public static func request(
        for message: OutboundMessage, channel: Configuration.Channel, now: Date
    ) throws(SendRequestError) -> CurlRequest {
        guard let from = message.from ?? channel.numbers.first else {
            throw SendRequestError(
                code: "no-sender", message: "\(channel.id): ACS needs a sender; add a number to the channel")
        }
        guard let signer = AzureHMACSigner(accessKey: channel.credential("accessKey") ?? "") else {
            throw SendRequestError(
                code: "bad-credentials", message: "\(channel.id): credentials.accessKey is not Base64")
        }
        let body = Body(
            from: from,
            smsRecipients: [
                .init(
                    to: message.to, repeatabilityRequestId: message.idempotencyKey,
                    repeatabilityFirstSent: HTTPDate.rfc1123(message.firstQueuedAt))
            ],
            message: message.text, smsSendOptions: .init(enableDeliveryReport: true))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let bytes = try? Array(encoder.encode(body)) else {
            throw SendRequestError(code: "encoding", message: "\(channel.id): could not encode the message")
        }
        let url = sendURL(channel: channel)
        // The hash covers exactly these bytes, which are what curl sends.
        guard let signed = signer.headers(method: "POST", url: url, body: bytes, date: now) else {
            throw SendRequestError(
                code: "bad-endpoint", message: "\(channel.id): \(url) is not an absolute http(s) URL")
        }
        let headers =
            [
                (name: "Content-Type", value: "application/json"),
                (name: "Accept", value: "application/json"),
            ] + signed
        return CurlRequest(method: "POST", url: url, headers: headers, body: bytes)
    }

    /// What ACS's answer (or the failure to get one) means for the outbox.
    ///
    /// - 2xx with `value[0].successful` → accepted with `value[0].messageId`.
    /// - `value[0].successful == false` → permanent with its `httpStatusCode` and `errorMessage` (retried
    ///   when that status is 429 or 5xx: repeatability makes it safe).
    /// - 429, 408, 5xx, connection failures and timeouts → retry (`Retry-After` honoured).
    /// - Other statuses (400, 401 bad signature or stale date, 403, 404) → permanent with `error.code/message`.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        let response: CurlResponse
        switch result {
        case .failure(let error): return sendFailureOutcome(error, channelID: channelID)
        case .success(let value): response = value
        }
        let json = try? JSONValue.parse(response.body, maxDepth: 64, what: channelID)
        if (200...299).contains(response.status) {
            guard let first = json?["value"]?.arrayValue?.first else {
                return .permanent(
                    ProviderErrorDetail(
                        code: "unexpected-response",
                        message: "\(channelID): ACS answered \(response.status) without a result for the recipient"),
                    optedOut: false)
            }
            if first["successful"]?.boolValue == true, let id = first["messageId"]?.stringValue, !id.isEmpty {
                return .accepted(providerMessageID: id)
            }
            let recipientStatus = first["httpStatusCode"]?.numberValue.map { Int($0) }
            let detail = ProviderErrorDetail(
                code: recipientStatus.map(String.init) ?? "failed",
                message: first["errorMessage"]?.stringValue ?? "\(channelID): ACS did not accept the message")
            if let recipientStatus, recipientStatus == 429 || recipientStatus >= 500 {
                return .retryLater(detail, retryAfter: retryAfterSeconds(response))
            }
            return .permanent(detail, optedOut: false)
        }
        let error = json?["error"]
        let detail = ProviderErrorDetail(
            code: error?["code"]?.stringValue ?? "http-\(response.status)",
            message: error?["message"]?.stringValue ?? "\(channelID): ACS answered HTTP \(response.status)")
        switch response.status {
        case 408, 429, 500...599: return .retryLater(detail, retryAfter: retryAfterSeconds(response))
        default: return .permanent(detail, optedOut: false)
        }
    }
}
