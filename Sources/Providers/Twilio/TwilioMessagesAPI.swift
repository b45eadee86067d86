import Curl
import Foundation
import Switchboard

/// Sends replies through Twilio's Messages API (providers.md §1.5).
///
/// ``request(for:channel:)`` and ``classify(_:channelID:)`` are pure; ``send(_:)`` only joins them with the client.
public struct TwilioMessagesAPI: RequestResponseAPI {
    public let channel: Configuration.Channel
    let client: CurlClient
    /// The channel's part of every request, made once rather than at every reply.
    let endpoint: Endpoint

    public init(channel: Configuration.Channel, client: CurlClient) {
        self.channel = channel
        self.client = client
        endpoint = Endpoint(channel: channel)
    }

    /// What every request of one channel shares: the Messages URL, the Basic credentials and the Messaging Service.
    struct Endpoint: Sendable {
        var url: String
        var authorization: String
        var messagingServiceSID: String?

        init(channel: Configuration.Channel) {
            let accountSID = channel.credential("accountSID") ?? ""
            let authToken = channel.credential("authToken") ?? ""
            var base = channel.apiBaseURL ?? TwilioMessagesAPI.defaultBaseURL
            while base.hasSuffix("/") { base.removeLast() }
            url = base + "/2010-04-01/Accounts/\(FormParameters.encodeComponent(accountSID))/Messages.json"
            authorization = "Basic " + Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
            messagingServiceSID = channel.credential(TwilioProvider.messagingServiceKey)
        }
    }

    public static let defaultBaseURL = "https://api.twilio.com"

    /// `POST {apiBaseURL}/2010-04-01/Accounts/{accountSID}/Messages.json`, Basic auth, form body with `To`,
    /// `MessagingServiceSid` when the channel has `credentials.messagingServiceSID` (Twilio then picks the sender
    /// from the service's pool), else `From` (when known), `Body` (left out for media alone), one `MediaUrl` per
    /// media URL in order (Twilio's repeated parameter) and `StatusCallback` (when known).
    public static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest {
        request(for: message, channel: channel, endpoint: Endpoint(channel: channel))
    }

    /// ``request(for:channel:)`` with the channel's ``Endpoint`` already made: what ``send(_:)`` sends.
    public func request(for message: OutboundMessage) -> CurlRequest {
        Self.request(for: message, channel: channel, endpoint: endpoint)
    }

    private static func request(
        for message: OutboundMessage, channel: Configuration.Channel, endpoint: Endpoint
    ) -> CurlRequest {
        var form = FormParameters([.init(name: "To", value: message.to)])
        if let service = endpoint.messagingServiceSID {
            form.pairs.append(.init(name: "MessagingServiceSid", value: service))
        } else if let from = message.from ?? channel.numbers.first {
            form.pairs.append(.init(name: "From", value: from))
        }
        if let text = message.textField { form.pairs.append(.init(name: "Body", value: text)) }
        form.pairs += message.mediaURLs.map { .init(name: "MediaUrl", value: $0) }
        if let callback = message.statusCallbackURL {
            form.pairs.append(.init(name: "StatusCallback", value: callback))
        }
        return CurlRequest(
            method: "POST", url: endpoint.url,
            headers: [
                (name: "Authorization", value: endpoint.authorization),
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "Accept", value: "application/json"),
            ],
            body: Array(form.encoded().utf8))
    }

    /// What Twilio's answer (or the failure to get one) means for the outbox.
    ///
    /// - 200/201 with `sid` → accepted; 429 or code 20429 → retry (honouring `Retry-After`); 5xx and 408 →
    ///   retry; connection failures and timeouts → retry; code 21610 → permanent, opted out; other answers →
    ///   permanent with Twilio's code and message.
    public static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome {
        let response: CurlResponse
        switch result {
        case .failure(let error):
            return sendFailureOutcome(error, channelID: channelID)
        case .success(let value):
            response = value
        }
        let answer = try? JSONValue.parse(response.body, maxDepth: 64, what: channelID)
        let code = answer?["code"]?.stringValue
        let providerMessage = answer?["message"]?.stringValue
        func detail() -> ProviderErrorDetail {
            if let code {
                return ProviderErrorDetail(
                    code: code, message: providerMessage ?? TwilioStatus.errorMessage(code: code))
            }
            return ProviderErrorDetail(
                code: "http-\(response.status)",
                message: providerMessage ?? "\(channelID): Twilio answered HTTP \(response.status)")
        }
        switch response.status {
        case 200, 201:
            if let sid = answer?["sid"]?.stringValue, !sid.isEmpty { return .accepted(providerMessageID: sid) }
            // Not retried: Twilio may have queued the message, and a retry could send it twice.
            return .permanent(
                ProviderErrorDetail(
                    code: "unexpected-response",
                    message: "\(channelID): Twilio answered \(response.status) without a message sid"),
                optedOut: false)
        case 429:
            return .retryLater(detail(), retryAfter: retryAfterSeconds(response))
        case _ where code == "20429":
            return .retryLater(detail(), retryAfter: retryAfterSeconds(response))
        case 408, 500...599:
            return .retryLater(detail(), retryAfter: retryAfterSeconds(response))
        default:
            if code == TwilioStatus.optedOutErrorCode { return .permanent(detail(), optedOut: true) }
            return .permanent(detail(), optedOut: false)
        }
    }
}

/// The outcome of a transfer that produced no response: connection problems and timeouts are worth a retry
/// (a timeout may mean the provider got it, which the outbox's at-least-once contract accepts); a request curl
/// refused to make is not.
func sendFailureOutcome(_ error: CurlError, channelID: String) -> SendOutcome {
    switch error.kind {
    case .invalidRequest:
        return .permanent(
            ProviderErrorDetail(code: "invalid-request", message: "\(channelID): \(error.message)"), optedOut: false)
    case .timedOut:
        return .retryLater(
            ProviderErrorDetail(code: "timeout", message: "\(channelID): \(error.message)"), retryAfter: nil)
    case .connectFailed, .hostNotFound, .tlsFailed, .transferFailed, .cancelled, .other:
        return .retryLater(
            ProviderErrorDetail(code: "connection", message: "\(channelID): \(error.message)"), retryAfter: nil)
    }
}

/// `Retry-After` in seconds when it is a number (the HTTP-date form is rare on APIs and is ignored).
func retryAfterSeconds(_ response: CurlResponse) -> Double? {
    guard let value = response.header("Retry-After")?.trimmingWhitespaces(),
        let seconds = Double(value), seconds >= 0, seconds.isFinite
    else { return nil }
    return seconds
}
