import Foundation

/// A provider's webhook request as the server received it: nothing interpreted yet.
public struct WebhookRequest: Sendable {
    /// `POST`, `GET`, `OPTIONS`.
    public var method: String
    /// The route's kind: `inbound`, `status`, `events`, `voice`, …
    public var kind: String
    /// The raw query string without `?` (as received, still percent-encoded).
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.kind = kind
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.name.lowercased() == name }?.value
    }
}

/// What the server answers a provider.
public struct WebhookReply: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What a verified and decoded webhook asks of the gateway.
public enum WebhookResult: Sendable {
    /// Answer this now and store nothing (handshakes, event types we do not handle).
    case immediate(WebhookReply)
    /// Store these events (in order), then answer `reply`.
    case events([InboundEvent], reply: WebhookReply)
    /// Store this event, then answer `reply` built from the id of the conversation it opened or continued (a
    /// redelivery gets the first delivery's conversation): the bot handoff answers `{"conversationId": …}`.
    case conversationEvent(InboundEvent, reply: @Sendable (_ conversationID: String) -> WebhookReply)
}

/// Verifies and decodes one channel's webhooks. Implementations are pure: no I/O.
public protocol WebhookAdapter: Sendable {
    var channel: Configuration.Channel { get }
    /// Checks in the order of CONTRACT.md §3: method and kind, content type and decoding, authentication,
    /// required fields. Throws the §9 error of the first check that fails.
    func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult
}
