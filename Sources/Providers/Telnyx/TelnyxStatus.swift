import Switchboard

/// Telnyx message statuses and error codes in Switchboard's terms (providers.md §4.1, §4.3).
public enum TelnyxStatus {
    /// "Blocked due to STOP message": the recipient opted out.
    public static let optedOutErrorCode = "40300"

    /// The ``MessageStatus`` for a recipient's `status` in `payload.to[]`, or `nil` for values that say nothing
    /// new (`delivery_unconfirmed`, future values).
    public static func messageStatus(_ telnyxStatus: String) -> MessageStatus? {
        switch telnyxStatus.lowercased() {
        case "queued": .queued
        case "sending": .sending
        case "sent": .sent
        case "delivered": .delivered
        case "sending_failed": .failed
        case "delivery_failed": .undelivered
        default: nil
        }
    }
}
