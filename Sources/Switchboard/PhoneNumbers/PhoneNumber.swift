import CPhoneNumber

/// A phone number as libphonenumber reads it: its E.164 form, what the metadata knows about it, and how to show it.
///
/// Match and store by ``e164``. ``isValid`` and ``type`` are information for the agent, never a gate: Debian's
/// libphonenumber carries 2022 metadata, so numbers in ranges opened since parse to the right E.164 but are reported
/// invalid (DESIGN.md, "Phone numbers, two rules").
///
/// `description` masks all but the last 4 digits, so interpolating a number into a log line does not leak it; use
/// ``e164`` where the full number is meant.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `+` and up to 15 digits: "+4915123456789". The key to match and store by.
    public let e164: String
    /// The country calling code: 49.
    public let countryCode: Int
    /// ISO 3166 alpha-2 region of the number: "DE". `nil` when no single region is known: a country code shared by
    /// several regions (+1, +44, +7) with a number in a range the metadata does not know, or a non-geographic
    /// number (+800, +882, …).
    public let regionCode: String?
    /// Valid per libphonenumber's (possibly outdated) metadata.
    public let isValid: Bool
    /// The length fits the country (libphonenumber's `IsPossibleNumber`). Always true for ``parse(_:region:)``'s
    /// results; may be false for numbers that providers send.
    public let isPossible: Bool
    /// The kind of line, ``PhoneNumberType/unknown`` when the metadata cannot tell.
    public let type: PhoneNumberType
    /// As dialled inside the country: "01512 3456789".
    public let nationalFormat: String
    /// As dialled from abroad, with spaces: "+49 1512 3456789".
    public let internationalFormat: String

    /// Reads a number a person typed (a contact's mobile phone, API input).
    ///
    /// Numbers without a country code are read as numbers of `region`; `+` and the region's international prefixes
    /// (`00`, `011` in the US, `0011` in Australia, …) introduce a country code. Spaces, dashes, dots and parentheses
    /// are ignored, an extension ("ext. 12") is kept in the formats but not in ``e164``. Numbers whose length fits no
    /// number of their country, or only local numbers without an area code, are refused; validity is not checked.
    ///
    /// Do not use this for senders that providers report: they are international even without `+`; see
    /// ``CustomerAddress/fromProvider(_:shortCodeMaxDigits:)``.
    ///
    /// - Parameters:
    ///   - text: The number as typed: "0151 23456789", "+49 151 23456789", "011 49 151 23456789".
    ///   - region: ISO 3166 alpha-2 code (any case) of the country to read national numbers in: "DE".
    public static func parse(_ text: String, region: String) throws(PhoneNumberError) -> PhoneNumber {
        let input = String(trimmed(text))
        guard !input.isEmpty else { throw .empty }
        guard !region.isEmpty else { throw .unknownRegion(region) }
        switch LibPhoneNumber.read(input, region: region) {
        case .failure(let error):
            throw PhoneNumberError(error, input: input, region: region)
        case .number(let number, .CPN_POSSIBLE):
            return number
        case .number(_, .CPN_POSSIBLE_LOCAL_ONLY):
            throw .missingAreaCode(input)
        case .number(_, .CPN_POSSIBLE_TOO_SHORT):
            throw .tooShort(input)
        case .number(_, .CPN_POSSIBLE_TOO_LONG):
            throw .tooLong(input)
        case .number(let number, .CPN_POSSIBLE_INVALID_LENGTH):
            throw .invalidLength(input, countryCode: number.countryCode)
        case .number(_, .CPN_POSSIBLE_INVALID_COUNTRY_CODE):
            throw .invalidCountryCode(input)
        }
    }

    /// Reads a number that must carry its country code ("+4915123456789"), without checking its length: what
    /// libphonenumber parses is kept, so that no message is refused. `nil` when it does not parse.
    static func parseInternational(_ text: String) -> PhoneNumber? {
        guard case .number(let number, _) = LibPhoneNumber.read(text, region: nil) else { return nil }
        return number
    }

    /// Whether libphonenumber knows this ISO 3166 alpha-2 region (any case), for checking configuration.
    public static func isKnownRegion(_ region: String) -> Bool {
        LibPhoneNumber.isKnownRegion(region)
    }

    /// `address` with all but its last 4 digits replaced by `*`, for logs: "+4915123456789" → "+*********6789",
    /// "whatsapp:+14155550100" → "whatsapp:+*******0100". Other characters are kept; 4 digits or fewer are kept.
    public static func masked(_ address: String) -> String {
        let digitCount = address.reduce(0) { $0 + ($1.isWholeNumber ? 1 : 0) }
        var digitsToMask = max(0, digitCount - 4)
        var result = ""
        result.reserveCapacity(address.utf8.count)
        for character in address {
            if character.isWholeNumber && digitsToMask > 0 {
                result.append("*")
                digitsToMask -= 1
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// ``e164`` masked for logs.
    public var masked: String { Self.masked(e164) }

    public var description: String { masked }

    /// `text` without leading and trailing whitespace (and without Foundation).
    static func trimmed(_ text: String) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return text[first...last]
    }
}

extension PhoneNumberError {
    /// The error for a failed `cpn_parse` of `input`.
    init(_ error: cpn_error, input: String, region: String) {
        switch error {
        case .CPN_INVALID_COUNTRY_CODE:
            self = .invalidCountryCode(input)
        case .CPN_NOT_A_NUMBER:
            // libphonenumber calls one or two bare digits "not a number"; to a person they are too short.
            let digits = input.filter(\.isWholeNumber).count
            let onlyNumberCharacters = input.allSatisfy { $0.isWholeNumber || "+-.() ".contains($0) }
            self = onlyNumberCharacters && digits <= 2 ? .tooShort(input) : .notANumber(input)
        case .CPN_TOO_SHORT_AFTER_IDD, .CPN_TOO_SHORT_NSN:
            self = .tooShort(input)
        case .CPN_TOO_LONG:
            self = .tooLong(input)
        case .CPN_UNKNOWN_REGION:
            self = .unknownRegion(region)
        case .CPN_OK, .CPN_INTERNAL:
            self = .unreadable(input)
        }
    }
}
