import Switchboard

/// Bandwidth callback types and error codes in Switchboard's terms (README "Bandwidth").
public enum BandwidthStatus {
    /// The inbound callback type: a customer's SMS or MMS to one of our numbers.
    public static let receivedType = "message-received"

    /// `4775 destination-rejected-due-to-user-opt-out`: the carrier refused the message because the recipient opted
    /// out. (4470 is Bandwidth's spam filter and 4720 an invalid destination: neither is an opt-out.)
    public static let optedOutErrorCodes: Set<String> = ["4775"]

    /// The ``MessageStatus`` a delivery callback `type` reports, or `nil` for types that are not delivery callbacks
    /// (`message-read` is for RBM only, and future types).
    public static func messageStatus(_ type: String) -> MessageStatus? {
        switch type {
        case "message-sending": .sending
        case "message-sent": .sent
        case "message-delivered": .delivered
        case "message-failed": .failed
        default: nil
        }
    }
}
