import Curl
import Foundation
import Switchboard

/// Sends replies through Bandwidth's Messaging API v2 with an OAuth2 bearer token (README "Bandwidth").
///
/// The token is fetched once per channel and reused until it is about to expire; a `401` from the send API drops it,
/// fetches a new one and sends once more. ``request(for:channel:token:)`` and ``classify(_:channelID:)`` are pure.
public struct BandwidthMessagesAPI: ProviderAPI {
    public let channel: Configuration.Channel
    let client: CurlClient
    let tokens = BandwidthTokenCache()
    let now: @Sendable () -> Date

    public init(channel: Configuration.Channel, client: CurlClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.channel = channel
        self.client = client
        self.now = now
    }

    public static let defaultMessagingRoot = "https://messaging.bandwidth.com/api/v2"

    /// `POST {messaging root}/users/{accountID}/messages` (`apiBaseURL` replaces the root), `Authorization: Bearer`,
    /// JSON with `applicationId`, `to` (an array of one), `from`, `text` (left out for media alone) and `media` (the
    /// media URLs, with media: an MMS). Delivery callbacks go to the messaging
    /// application's callback URL: the API takes none per message. Without a sender number nothing can be sent.
    public static func request(
        for message: OutboundMessage, channel: Configuration.Channel, token: String
    ) throws(SendRequestError) -> CurlRequest {
        guard let from = message.from ?? channel.numbers.first else {
            throw SendRequestError(
                code: "no-sender", message: "\(channel.id): Bandwidth needs a from number; set the channel's numbers")
        }
        var root = channel.apiBaseURL ?? defaultMessagingRoot
        while root.hasSuffix("/") { root.removeLast() }
        var body: [String: JSONValue] = [
            "applicationId": .string(channel.credential("applicationID") ?? ""),
            "to": .array([.string(message.to)]), "from": .string(from),
        ]
        body["text"] = message.textField.map { .string($0) }
        body["media"] = message.mediaJSON
        let account = FormParameters.encodeComponent(channel.credential("accountID") ?? "")
        return .jsonPost(
            url: root + "/users/\(account)/messages", authorization: "Bearer \(token)", body: .object(body))
    }

    /// What the send API's answer (or the failure to get one) means for the outbox.
    ///
    /// - 200–202 with `id` → accepted; 429, 408 and 5xx → retry, honouring `Retry-After`; connection failures →
    ///   retry; other answers → permanent with Bandwidth's `type` and `description`.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        answer.classify(result, channelID: channelID)
    }

    static let answer = JSONSendAnswer(
        provider: "Bandwidth", messageID: { nonEmpty($0?["id"]) },
        error: { json, status, channelID in
            ProviderErrorDetail(
                code: nonEmpty(json?["type"]) ?? "http-\(status)",
                message: nonEmpty(json?["description"]) ?? "\(channelID): Bandwidth answered HTTP \(status)")
        })

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        var attempt = await attempt(message)
        if case .unauthorized(let refused, _) = attempt {
            await tokens.discard(refused)
            attempt = await self.attempt(message)
        }
        switch attempt {
        case .done(let outcome):
            return outcome
        case .unauthorized(let refused, let response):
            // A fresh token refused too: the client credentials lack messaging access.
            await tokens.discard(refused)
            return Self.classify(.success(response), channelID: channel.id)
        }
    }

    private enum Attempt {
        case done(SendOutcome)
        /// The send API answered `401` to this token.
        case unauthorized(token: String, response: CurlResponse)
    }

    private func attempt(_ message: OutboundMessage) async -> Attempt {
        let token: BandwidthAccessToken
        switch await tokens.token(now: now(), fetch: fetchToken) {
        case .failed(let outcome): return .done(outcome)
        case .token(let value): token = value
        }
        let request: CurlRequest
        do {
            request = try Self.request(for: message, channel: channel, token: token.value)
        } catch {
            return .done(.permanent(error.detail, optedOut: false))
        }
        let result: Result<CurlResponse, CurlError>
        do {
            result = .success(try await client.execute(request))
        } catch {
            result = .failure(error)
        }
        if case .success(let response) = result, response.status == 401 {
            return .unauthorized(token: token.value, response: response)
        }
        return .done(Self.classify(result, channelID: channel.id))
    }

    @Sendable private func fetchToken() async -> BandwidthTokenResult {
        let request = BandwidthTokenGrant.request(channel: channel)
        do {
            return BandwidthTokenGrant.result(
                .success(try await client.execute(request)), channelID: channel.id, now: now())
        } catch {
            return BandwidthTokenGrant.result(.failure(error), channelID: channel.id, now: now())
        }
    }
}
