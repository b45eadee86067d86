import Curl
import Foundation
import Switchboard

/// An OAuth2 access token for Bandwidth's APIs and when it stops being used.
struct BandwidthAccessToken: Sendable, Equatable {
    var value: String
    /// A little before the token really expires, so a send never carries a token that expires in flight.
    var refreshAt: Date
}

/// What fetching a token came to: the token, or the send's outcome when there is none.
enum BandwidthTokenResult: Sendable, Equatable {
    case token(BandwidthAccessToken)
    case failed(SendOutcome)
}

/// The OAuth2 client-credentials grant of Bandwidth's token endpoint, as the official SDKs make it: `POST
/// {root}/api/v1/oauth2/token`, Basic `clientID:clientSecret`, form body `grant_type=client_credentials`; the answer
/// has `access_token` and `expires_in` (seconds).
enum BandwidthTokenGrant {
    static let defaultRoot = "https://api.bandwidth.com"
    static let path = "/api/v1/oauth2/token"
    /// Used when the answer has no usable `expires_in`: a 401 from the send API replaces the token anyway.
    static let defaultLifetime: Double = 3600
    /// The SDKs refresh a token 60 s before it expires.
    static let refreshMargin: Double = 60

    static func request(channel: Configuration.Channel) -> CurlRequest {
        var root = channel.apiBaseURL ?? defaultRoot
        while root.hasSuffix("/") { root.removeLast() }
        let credentials = "\(channel.credential("clientID") ?? ""):\(channel.credential("clientSecret") ?? "")"
        return CurlRequest(
            method: "POST", url: root + path,
            headers: [
                (name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString()),
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "Accept", value: "application/json"),
            ],
            body: Array("grant_type=client_credentials".utf8))
    }

    /// The token in the endpoint's answer, fetched at `now`; or what the failure means for the send: refused
    /// client credentials are permanent, 429, 5xx and connection errors are retried.
    static func result(_ result: Result<CurlResponse, CurlError>, channelID: String, now: Date) -> BandwidthTokenResult
    {
        let response: CurlResponse
        switch result {
        case .failure(let error): return .failed(sendFailureOutcome(error, channelID: channelID))
        case .success(let value): response = value
        }
        let json = try? JSONValue.parse(response.body, maxDepth: 16, what: channelID)
        if (200...299).contains(response.status), let token = nonEmpty(json?["access_token"]) {
            let lifetime =
                json?["expires_in"]?.stringValue.flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
                ?? defaultLifetime
            let margin = min(refreshMargin, lifetime / 2)
            return .token(BandwidthAccessToken(value: token, refreshAt: now.addingTimeInterval(lifetime - margin)))
        }
        let detail = ProviderErrorDetail(
            code: "oauth2-http-\(response.status)",
            message: "\(channelID): the Bandwidth OAuth2 token endpoint answered HTTP \(response.status)"
                + (nonEmpty(json?["error"]).map { " (\($0))" } ?? "") + "; check clientID and clientSecret")
        switch response.status {
        case 429, 408, 500...599: return .failed(.retryLater(detail, retryAfter: retryAfterSeconds(response)))
        default: return .failed(.permanent(detail, optedOut: false))
        }
    }
}

/// The channel's current token, shared by all its sends: fetched once, reused until ``BandwidthAccessToken/refreshAt``,
/// dropped when the API refuses it. Concurrent sends that find no token wait for one fetch.
actor BandwidthTokenCache {
    private var current: BandwidthAccessToken?
    private var fetching: Task<BandwidthTokenResult, Never>?

    func token(
        now: Date, fetch: @escaping @Sendable () async -> BandwidthTokenResult
    ) async -> BandwidthTokenResult {
        if let current, now < current.refreshAt { return .token(current) }
        if let fetching { return await fetching.value }
        let task = Task { await fetch() }
        fetching = task
        let result = await task.value
        fetching = nil
        if case .token(let token) = result { current = token }
        return result
    }

    /// Forgets `value` if it is still the current token (another send may have replaced it already).
    func discard(_ value: String) {
        if current?.value == value { current = nil }
    }
}
