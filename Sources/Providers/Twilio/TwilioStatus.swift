import Switchboard

/// Twilio's message statuses and error codes in Switchboard's terms (providers.md §1.3, §1.5).
public enum TwilioStatus {
    /// The error code Twilio uses for a recipient who replied STOP.
    public static let optedOutErrorCode = "21610"

    /// The ``MessageStatus`` for a `MessageStatus` value, or `nil` for values that say nothing about an
    /// outbound message (`receiving`, `received`, `partially_delivered`, future values).
    public static func messageStatus(_ twilioStatus: String) -> MessageStatus? {
        switch twilioStatus.lowercased() {
        case "queued", "accepted", "scheduled": .queued
        case "sending": .sending
        case "sent": .sent
        case "delivered", "read": .delivered
        case "undelivered": .undelivered
        case "failed", "canceled": .failed
        default: nil
        }
    }

    /// A short description of a Twilio error code, so an agent sees more than a number.
    public static func errorMessage(code: String) -> String {
        knownErrors[code] ?? "Twilio error \(code)"
    }

    /// The codes an agent or operator most often meets (twilio.com/docs/api/errors).
    static let knownErrors: [String: String] = [
        "20003": "Authentication failed; check accountSID and authToken",
        "20429": "Too many requests",
        "21211": "Invalid 'To' phone number",
        "21408": "Permission to send an SMS has not been enabled for the region",
        "21606": "The 'From' number is not a valid message-capable Twilio number",
        "21608": "The 'To' number is not verified (trial account)",
        "21610": "Attempt to send to unsubscribed recipient",
        "21612": "The 'To' number is not currently reachable",
        "21614": "'To' number is not a valid mobile number",
        "21619": "A text message body or media URL is required",
        "30001": "Queue overflow",
        "30002": "Account suspended",
        "30003": "Unreachable destination handset",
        "30004": "Message blocked",
        "30005": "Unknown destination handset",
        "30006": "Landline or unreachable carrier",
        "30007": "Message filtered by the carrier",
        "30008": "Unknown error",
    ]
}
