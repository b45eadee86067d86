import Switchboard

/// Plivo message statuses and error codes in Switchboard's terms (providers.md §5.3).
public enum PlivoStatus {
    /// "Source number blocked by STOP from destination": the recipient opted out.
    public static let optedOutErrorCode = "200"

    /// The ``MessageStatus`` for a status callback's `Status`, or `nil` for values that say nothing about an
    /// outbound message (`received`, future values).
    public static func messageStatus(_ plivoStatus: String) -> MessageStatus? {
        switch plivoStatus.lowercased() {
        case "queued": .queued
        case "sent": .sent
        case "delivered", "read": .delivered
        case "undelivered": .undelivered
        case "failed", "rejected": .failed
        default: nil
        }
    }

    /// An error code that reports a problem (`0` and `000` are what Plivo sends for none).
    static func isError(_ code: String) -> Bool {
        !code.isEmpty && code.contains { $0 != "0" }
    }
}
