import Testing

@testable import Switchboard

@Suite("PhoneNumber.parse: what is not a phone number")
struct PhoneNumberErrorTests {
    @Test(
        "refused input and its error",
        arguments: [
            ("", "US", PhoneNumberError.empty),
            ("   ", "US", .empty),
            ("12", "US", .tooShort("12")),
            ("1", "US", .tooShort("1")),
            ("+44", "GB", .tooShort("+44")),
            ("011", "US", .tooShort("011")),
            ("abc", "US", .notANumber("abc")),
            ("call me maybe", "GB", .notANumber("call me maybe")),
            ("12ab34", "DE", .notANumber("12ab34")),
            ("+1 415 555 0100 1234 5678", "US", .tooLong("+1 415 555 0100 1234 5678")),
            ("+999 123456", "US", .invalidCountryCode("+999 123456")),
            ("555 0100", "US", .missingAreaCode("555 0100")),
            ("0151 23456789", "XX", .unknownRegion("XX")),
            ("0151 23456789", "", .unknownRegion("")),
            ("0151 23456789", "GERMANY", .unknownRegion("GERMANY")),
        ])
    func refused(text: String, region: String, expected: PhoneNumberError) {
        #expect(throws: expected) { try PhoneNumber.parse(text, region: region) }
    }

    @Test("surrounding whitespace is not quoted back")
    func trimmedInMessage() {
        #expect(throws: PhoneNumberError.tooShort("12")) { try PhoneNumber.parse("  12 \n", region: "US") }
    }

    @Test(
        "messages name the problem",
        arguments: [
            (PhoneNumberError.empty, "the phone number is empty"),
            (.tooShort("12"), "\"12\" is too short to be a phone number"),
            (.tooLong("+1 415 555 0100 1234"), "\"+1 415 555 0100 1234\" is too long to be a phone number"),
            (.notANumber("abc"), "\"abc\" is not a phone number: it contains letters"),
            (
                .notANumber("#*#"),
                "\"#*#\" is not a phone number: use digits, spaces, dashes, dots and parentheses, "
                    + "optionally after + or an international prefix"
            ),
            (.invalidCountryCode("+999 1"), "\"+999 1\" has no known country code after + or the international prefix"),
            (
                .invalidLength("+49 1", countryCode: 49),
                "\"+49 1\" has a number of digits that no phone number of country code +49 has"
            ),
            (.missingAreaCode("555 0100"), "\"555 0100\" is a local number; include the area code"),
            (
                .unknownRegion("XX"),
                "\"XX\" is not a region libphonenumber knows; use an ISO 3166 alpha-2 code such as US, GB or DE"
            ),
        ])
    func message(error: PhoneNumberError, expected: String) {
        #expect(error.description == expected)
    }

    @Test("the redacted message for logs masks the number")
    func redacted() {
        let error = PhoneNumberError.tooLong("+1 415 555 0100 1234")
        #expect(error.redactedDescription == "\"+* *** *** **** 1234\" is too long to be a phone number")
        #expect(PhoneNumberError.unknownRegion("XX").redactedDescription.contains("\"XX\""))
    }
}
