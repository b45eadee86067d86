/// A message's delivery status (CONTRACT.md §5). Statuses only move forward: see ``advanced(to:)``.
public enum MessageStatus: String, Sendable, Codable, Hashable, CaseIterable {
    /// Inbound messages and bot transcript lines.
    case received
    case queued
    /// The request to the provider is in flight.
    case sending
    /// The provider's API accepted the message.
    case sent
    case delivered
    case failed
    case undelivered
    case optedOut = "opted-out"

    /// Final statuses never change again.
    public var isFinal: Bool {
        switch self {
        case .received, .delivered, .failed, .undelivered, .optedOut: true
        case .queued, .sending, .sent: false
        }
    }

    var rank: Int {
        switch self {
        case .received: 0
        case .queued: 0
        case .sending: 1
        case .sent: 2
        case .delivered, .failed, .undelivered, .optedOut: 3
        }
    }

    /// The status after a report of `next` arrives: `next` if it moves forward, else `self`
    /// (late, repeated and out-of-order reports are ignored).
    public func advanced(to next: MessageStatus) -> MessageStatus {
        if isFinal || next == self { return self }
        return next.rank > rank ? next : self
    }
}

/// What a provider said about a failed message, kept on the message (`error` in CONTRACT.md §5).
public struct ProviderErrorDetail: Sendable, Codable, Hashable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
