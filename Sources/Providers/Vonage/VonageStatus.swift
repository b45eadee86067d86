import Switchboard

/// Vonage SMS API delivery-receipt statuses and send status codes in Switchboard's terms (providers.md §3.3, §3.4).
public enum VonageStatus {
    /// The receipt `err-code` meaning the recipient asked not to receive messages from this sender.
    public static let optedOutErrorCode = "9"

    /// The ``MessageStatus`` for a receipt's `status` and `err-code`, with the error to keep, or `nil` for a
    /// status that says nothing about delivery (`unknown`, future values): acknowledged and not stored.
    ///
    /// `accepted`/`buffered` → sent (the carrier has it); `delivered` → delivered; `expired` and `failed` →
    /// undelivered (the carrier gave up on the handset); `rejected` → failed (refused before delivery was
    /// attempted). `err-code` 9 → opted-out whatever the status.
    public static func messageStatus(
        _ vonageStatus: String, errorCode: String?
    ) -> (status: MessageStatus, error: ProviderErrorDetail?)? {
        let code = errorCode.flatMap { $0.isEmpty || $0 == "0" ? nil : $0 }
        let error = code.map { ProviderErrorDetail(code: $0, message: receiptErrorMessage(code: $0)) }
        if code == optedOutErrorCode { return (.optedOut, error) }
        switch vonageStatus.lowercased() {
        case "accepted", "buffered": return (.sent, error)
        case "delivered": return (.delivered, error)
        case "expired", "failed": return (.undelivered, error)
        case "rejected": return (.failed, error)
        default: return nil
        }
    }

    /// Delivery-receipt error codes (developer.vonage.com SMS API "delivery receipt error codes").
    public static func receiptErrorMessage(code: String) -> String {
        switch code {
        case "1": "Unknown error from the carrier"
        case "2": "Absent subscriber (temporary)"
        case "3": "Absent subscriber (permanent)"
        case "4": "Call barred by user"
        case "5": "Portability error"
        case "6": "Anti-spam rejection"
        case "7": "Handset busy"
        case "8": "Network error"
        case "9": "Illegal number: the recipient opted out of messages from this sender"
        case "10": "Illegal message"
        case "11": "Unroutable"
        case "12": "Destination unreachable"
        case "13": "Subscriber age restriction"
        case "14": "Number blocked by carrier"
        case "15": "Prepaid insufficient funds"
        case "99": "General error"
        default: "Vonage delivery error \(code)"
        }
    }

    /// Send status codes (the `messages[].status` of `/sms/json`).
    public static func sendErrorMessage(code: String) -> String {
        switch code {
        case "1": "Throttled"
        case "2": "Missing parameters"
        case "3": "Invalid parameters"
        case "4": "Invalid credentials; check apiKey and apiSecret"
        case "5": "Internal error"
        case "6": "Invalid message"
        case "7": "Number barred"
        case "8": "Partner account barred"
        case "9": "Partner quota violation (no credit)"
        case "12": "Message too long"
        case "14": "Invalid signature"
        case "15": "Invalid sender address"
        case "29": "Non-whitelisted destination"
        case "33": "Number de-activated"
        default: "Vonage send error \(code)"
        }
    }
}
