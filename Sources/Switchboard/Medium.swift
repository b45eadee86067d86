/// The medium of a conversation or notification (`channel` in CONTRACT.md §5–6).
public enum Medium: String, Sendable, Codable, Hashable, CaseIterable {
    case sms
    case voice
    /// A record routed as a work item (case, task).
    case record
}
