/// The medium of a conversation or notification (`channel` in CONTRACT.md §5–6).
public enum Medium: String, Sendable, Codable, Hashable, CaseIterable {
    case sms
    case voice
    /// A record routed as a work item (case, task).
    case record
}

/// The providers Switchboard speaks (`provider` of a channel in the config).
public enum ProviderKind: String, Sendable, Codable, Hashable, CaseIterable {
    case twilio
    case acs
    case telesign
    case vonage
    case telnyx
    case plivo
    case bandwidth
    case bot
}
