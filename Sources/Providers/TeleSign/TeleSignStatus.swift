import Switchboard

/// TeleSign SMS status codes in Switchboard's terms (TeleSign's "all status and error codes" page).
public enum TeleSignStatus {
    /// "Message blocked by subscriber action or request": the recipient opted out.
    public static let optedOutCode = 510

    /// The ``MessageStatus`` for a delivery report's `status.code`, or `nil` for codes that say nothing final or
    /// new (250 final status unknown, 295 status delayed, 599 status not available, unknown codes).
    public static func messageStatus(code: Int) -> MessageStatus? {
        switch code {
        case 200: .delivered
        case 203, 290, 291, 292: .sent
        case optedOutCode: .optedOut
        case 207, 210, 211, 220, 221, 222, 251, 502...509, 511...521: .undelivered
        case 229, 230, 231, 233, 237, 238, 500, 501: .failed
        default: nil
        }
    }
}
