import Synchronization

/// Whom a message from a provider came from: a phone number, or a sender that is none (short code, alphanumeric
/// sender id, `whatsapp:+…`), kept exactly as the provider sent it.
///
/// `description` masks all but the last 4 digits, for logs.
public enum CustomerAddress: Sendable, Hashable, CustomStringConvertible {
    case phone(PhoneNumber)
    case other(String)

    /// Senders of at most this many digits (without `+`) are short codes, not phone numbers.
    public static let defaultShortCodeMaxDigits = 6

    /// Reads a sender (or recipient) that a provider reported: Vonage `msisdn`, Plivo `From`, Twilio `From`, ….
    ///
    /// Providers send international numbers, often without `+` ("4915123456789"), so a string of digits is read as
    /// `+` followed by the digits, never with a region (which would make it +49 4915…). A leading `+`, surrounding
    /// whitespace and spaces, dashes, dots and parentheses between digits are accepted. Everything else is
    /// ``other(_:)`` verbatim, never an error: short codes (up to `shortCodeMaxDigits` digits without `+`),
    /// alphanumeric sender ids ("AcmeInc"), prefixed addresses ("whatsapp:+14155550100") and digits that
    /// libphonenumber cannot read as an international number. Validity is not checked (2022 metadata).
    public static func fromProvider(
        _ raw: String, shortCodeMaxDigits: Int = defaultShortCodeMaxDigits
    ) -> CustomerAddress {
        guard let candidate = internationalCandidate(raw, shortCodeMaxDigits: shortCodeMaxDigits),
            let number = PhoneNumber.parseInternational(candidate)
        else { return .other(raw) }
        return .phone(number)
    }

    /// The ``key`` and ``isPhoneNumber`` of ``fromProvider(_:shortCodeMaxDigits:)``, without the rest of
    /// libphonenumber's reading (validity, type, formats: a dozen regular expressions). Storing an inbound
    /// message needs only these, once per webhook.
    public static func keyFromProvider(
        _ raw: String, shortCodeMaxDigits: Int = defaultShortCodeMaxDigits
    ) -> (key: String, isPhoneNumber: Bool) {
        let cacheKey = RecentKeys.Key(raw: raw, shortCodeMaxDigits: shortCodeMaxDigits)
        if let known = recentKeys.withLock({ $0.keys[cacheKey] }) { return known }
        let key: (key: String, isPhoneNumber: Bool)
        if let candidate = internationalCandidate(raw, shortCodeMaxDigits: shortCodeMaxDigits),
            let e164 = LibPhoneNumber.e164(ofInternational: candidate)
        {
            key = (e164, true)
        } else {
            key = (raw, false)
        }
        recentKeys.withLock { $0.insert(key, for: cacheKey) }
        return key
    }

    /// The keys of the senders seen last (a customer writes more than once; libphonenumber's parse was a twentieth
    /// of a webhook's CPU time): at most ``RecentKeys/capacity``, forgotten all at once when full.
    private static let recentKeys = Mutex(RecentKeys())

    private struct RecentKeys {
        struct Key: Hashable {
            var raw: String
            var shortCodeMaxDigits: Int
        }
        static let capacity = 4_096
        var keys: [Key: (key: String, isPhoneNumber: Bool)] = [:]

        mutating func insert(_ value: (key: String, isPhoneNumber: Bool), for key: Key) {
            if keys.count >= Self.capacity { keys.removeAll(keepingCapacity: true) }
            keys[key] = value
        }
    }

    /// `+` and the digits of a sender that may be a phone number, `nil` for one that is not.
    private static func internationalCandidate(_ raw: String, shortCodeMaxDigits: Int) -> String? {
        var body = PhoneNumber.trimmed(raw)
        let hasPlus = body.first == "+"
        if hasPlus { body = body.dropFirst() }
        // Bytes, not Characters: only ASCII digits and separators pass, and anything else (a multi-byte
        // character included) makes it no number; Unicode's digit properties were looked up for every character.
        var digits: [UInt8] = [UInt8(ascii: "+")]
        digits.reserveCapacity(body.utf8.count + 1)
        for byte in body.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"): continue
            default: return nil
            }
        }
        let count = digits.count - 1
        guard count > 0, hasPlus || count > shortCodeMaxDigits else { return nil }
        return String(decoding: digits, as: UTF8.self)
    }

    /// What conversations are matched and stored by (`customerPhone`): E.164 for phone numbers, else the raw sender.
    public var key: String {
        switch self {
        case .phone(let number): number.e164
        case .other(let raw): raw
        }
    }

    /// The phone number, `nil` for other senders (which match no contact).
    public var phoneNumber: PhoneNumber? {
        if case .phone(let number) = self { number } else { nil }
    }

    /// Whether the sender is a phone number (`customerIsPhoneNumber`).
    public var isPhoneNumber: Bool { phoneNumber != nil }

    /// ``key`` masked for logs.
    public var description: String { PhoneNumber.masked(key) }
}
