/// Why a text is not a phone number, worded for the person who typed it.
///
/// ``description`` quotes the input so that the person can see what was read; use ``redactedDescription`` in logs,
/// which never carry full phone numbers.
public enum PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing but whitespace.
    case empty
    /// Letters, or characters that no phone number has.
    case notANumber(String)
    /// No country code, or an unknown one, after `+` or the international prefix.
    case invalidCountryCode(String)
    /// Fewer digits than any phone number (of its country).
    case tooShort(String)
    /// More digits than any phone number (of its country).
    case tooLong(String)
    /// Between the shortest and longest numbers of the country, but a length none of them has.
    case invalidLength(String, countryCode: Int)
    /// A number that can only be dialled inside its area: the area code is missing.
    case missingAreaCode(String)
    /// The default region is not an ISO 3166 alpha-2 code that libphonenumber knows.
    case unknownRegion(String)
    /// libphonenumber failed in a way it should not; a bug to report.
    case unreadable(String)

    /// The problem, quoting the input.
    public var description: String { message { $0 } }

    /// The problem with all but the last 4 digits of the input masked, for logs.
    public var redactedDescription: String { message(quoting: PhoneNumber.masked) }

    private func message(quoting show: (String) -> String) -> String {
        switch self {
        case .empty:
            return "the phone number is empty"
        case .notANumber(let text) where text.contains(where: \.isLetter):
            return "\"\(show(text))\" is not a phone number: it contains letters"
        case .notANumber(let text):
            return "\"\(show(text))\" is not a phone number: use digits, spaces, dashes, dots and parentheses, "
                + "optionally after + or an international prefix"
        case .invalidCountryCode(let text):
            return "\"\(show(text))\" has no known country code after + or the international prefix"
        case .tooShort(let text):
            return "\"\(show(text))\" is too short to be a phone number"
        case .tooLong(let text):
            return "\"\(show(text))\" is too long to be a phone number"
        case .invalidLength(let text, let countryCode):
            return "\"\(show(text))\" has a number of digits that no phone number of country code +\(countryCode) has"
        case .missingAreaCode(let text):
            return "\"\(show(text))\" is a local number; include the area code"
        case .unknownRegion(let region):
            return
                "\"\(region)\" is not a region libphonenumber knows; use an ISO 3166 alpha-2 code such as US, GB or DE"
        case .unreadable(let text):
            return "libphonenumber failed to read \"\(show(text))\"; this is a bug, please report it"
        }
    }
}
