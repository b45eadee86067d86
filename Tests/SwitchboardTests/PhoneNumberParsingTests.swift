import Foundation
import Testing

@testable import Switchboard

/// A number a person typed in its country's national format, and what libphonenumber 8.12 makes of it.
struct NationalNumber: Sendable, CustomTestStringConvertible {
    var region: String
    var text: String
    var e164: String
    var type: PhoneNumberType
    var national: String
    var international: String

    var testDescription: String { "\(region) \(text)" }
}

let nationalNumbers: [NationalNumber] = [
    .init(
        region: "US", text: "(201) 555-0123", e164: "+12015550123", type: .fixedLineOrMobile,
        national: "(201) 555-0123", international: "+1 201-555-0123"),
    .init(
        region: "GB", text: "07400 123456", e164: "+447400123456", type: .mobile, national: "07400 123456",
        international: "+44 7400 123456"),
    .init(
        region: "GB", text: "020 7946 0018", e164: "+442079460018", type: .fixedLine, national: "020 7946 0018",
        international: "+44 20 7946 0018"),
    .init(
        region: "DE", text: "0151 23456789", e164: "+4915123456789", type: .mobile, national: "01512 3456789",
        international: "+49 1512 3456789"),
    .init(
        region: "DE", text: "030 123456", e164: "+4930123456", type: .fixedLine, national: "030 123456",
        international: "+49 30 123456"),
    .init(
        region: "FR", text: "06 12 34 56 78", e164: "+33612345678", type: .mobile, national: "06 12 34 56 78",
        international: "+33 6 12 34 56 78"),
    .init(
        region: "FR", text: "01.23.45.67.89", e164: "+33123456789", type: .fixedLine, national: "01 23 45 67 89",
        international: "+33 1 23 45 67 89"),
    .init(
        region: "ID", text: "0812-3456-7890", e164: "+6281234567890", type: .mobile, national: "0812-3456-7890",
        international: "+62 812-3456-7890"),
    .init(
        region: "ID", text: "(021) 8350123", e164: "+62218350123", type: .fixedLine, national: "(021) 8350123",
        international: "+62 21 8350123"),
    .init(
        region: "IN", text: "081234 56789", e164: "+918123456789", type: .mobile, national: "081234 56789",
        international: "+91 81234 56789"),
    .init(
        region: "IN", text: "074104 10123", e164: "+917410410123", type: .fixedLineOrMobile,
        national: "074104 10123", international: "+91 74104 10123"),
    .init(
        region: "BR", text: "(11) 96123-4567", e164: "+5511961234567", type: .mobile, national: "(11) 96123-4567",
        international: "+55 11 96123-4567"),
    .init(
        region: "BR", text: "(11) 2345-6789", e164: "+551123456789", type: .fixedLine, national: "(11) 2345-6789",
        international: "+55 11 2345-6789"),
    .init(
        region: "JP", text: "090-1234-5678", e164: "+819012345678", type: .mobile, national: "090-1234-5678",
        international: "+81 90-1234-5678"),
    .init(
        region: "JP", text: "03-1234-5678", e164: "+81312345678", type: .fixedLine, national: "03-1234-5678",
        international: "+81 3-1234-5678"),
    .init(
        region: "AU", text: "0412 345 678", e164: "+61412345678", type: .mobile, national: "0412 345 678",
        international: "+61 412 345 678"),
    .init(
        region: "AU", text: "(02) 1234 5678", e164: "+61212345678", type: .fixedLine, national: "(02) 1234 5678",
        international: "+61 2 1234 5678"),
    .init(
        region: "NG", text: "0802 123 4567", e164: "+2348021234567", type: .mobile, national: "0802 123 4567",
        international: "+234 802 123 4567"),
    .init(
        region: "NG", text: "01 804 0123", e164: "+23418040123", type: .fixedLine, national: "01 804 0123",
        international: "+234 1 804 0123"),
]

@Suite("PhoneNumber.parse: numbers a person typed")
struct PhoneNumberParsingTests {
    @Test("national numbers of ten countries", arguments: nationalNumbers)
    func nationalFormat(_ expected: NationalNumber) throws {
        let number = try PhoneNumber.parse(expected.text, region: expected.region)
        #expect(number.e164 == expected.e164)
        #expect(number.type == expected.type)
        #expect(number.nationalFormat == expected.national)
        #expect(number.internationalFormat == expected.international)
        #expect(number.regionCode == expected.region)
        #expect(number.countryCode == Int(expected.international.dropFirst().prefix { $0 != " " }))
        #expect(number.isValid)
        #expect(number.isPossible)
    }

    @Test("international format reads the same from any region", arguments: nationalNumbers)
    func internationalFormat(_ expected: NationalNumber) throws {
        let fromElsewhere = try PhoneNumber.parse(expected.international, region: expected.region == "US" ? "GB" : "US")
        #expect(fromElsewhere == (try PhoneNumber.parse(expected.text, region: expected.region)))
        let e164 = try PhoneNumber.parse(expected.e164, region: "JP")
        #expect(e164.e164 == expected.e164)
    }

    @Test(
        "country codes",
        arguments: [
            ("+1 201-555-0123", 1), ("+44 20 7946 0018", 44), ("+234 802 123 4567", 234), ("+62 21 8350123", 62),
        ]
    )
    func countryCode(text: String, countryCode: Int) throws {
        #expect(try PhoneNumber.parse(text, region: "US").countryCode == countryCode)
    }

    @Test(
        "international prefixes of the region",
        arguments: [
            ("011 44 20 7946 0018", "US", "+442079460018"),
            ("011-49-151-23456789", "US", "+4915123456789"),
            ("00 1 201 555 0123", "GB", "+12015550123"),
            ("00 33 6 12 34 56 78", "DE", "+33612345678"),
            ("0011 44 7400 123456", "AU", "+447400123456"),
            ("010 44 7400 123456", "JP", "+447400123456"),
            ("00 62 812 3456 7890", "IN", "+6281234567890"),
        ])
    func internationalPrefix(text: String, region: String, e164: String) throws {
        #expect(try PhoneNumber.parse(text, region: region).e164 == e164)
    }

    @Test(
        "spaces, dashes, dots and parentheses",
        arguments: [
            "+1 (201) 555-0123", "201.555.0123", "201-555-0123", "2015550123", "  201 555 0123  ", "+1-201-555-0123",
            "1 201 555 0123", "(201)5550123",
        ])
    func separators(text: String) throws {
        #expect(try PhoneNumber.parse(text, region: "US").e164 == "+12015550123")
    }

    @Test("the region is read in any case")
    func regionCase() throws {
        #expect(try PhoneNumber.parse("0151 23456789", region: "de").e164 == "+4915123456789")
    }

    @Test("a region's digits without + are national: the reason providers' senders are read otherwise")
    func digitsWithRegionAreNational() throws {
        #expect(try PhoneNumber.parse("4915123456789", region: "DE").e164 == "+494915123456789")
    }

    @Test("numbers the 2022 metadata does not know parse to the right E.164, reported invalid")
    func newRangeIsNotRefused() throws {
        let number = try PhoneNumber.parse("+1 983 555 0100", region: "US")
        #expect(number.e164 == "+19835550100")
        #expect(!number.isValid)
        #expect(number.isPossible)
        #expect(number.type == .unknown)
        #expect(number.regionCode == nil)
    }

    @Test("non-geographic numbers have no region")
    func nonGeographic() throws {
        let number = try PhoneNumber.parse("+800 1234 5678", region: "US")
        #expect(number.e164 == "+80012345678")
        #expect(number.type == .tollFree)
        #expect(number.regionCode == nil)
    }

    @Test("an extension stays in the formats, not in E.164")
    func fileExtension() throws {
        let number = try PhoneNumber.parse("(201) 555-0123 ext. 45", region: "US")
        #expect(number.e164 == "+12015550123")
        #expect(number.nationalFormat == "(201) 555-0123 ext. 45")
    }

    @Test("Codable round trip, with kebab-case number types")
    func codable() throws {
        let number = try PhoneNumber.parse("(201) 555-0123", region: "US")
        let json = try JSONEncoder().encode(number)
        #expect(String(decoding: json, as: UTF8.self).contains("\"fixed-line-or-mobile\""))
        #expect(try JSONDecoder().decode(PhoneNumber.self, from: json) == number)
    }

    @Test(
        "known regions",
        arguments: [
            ("US", true), ("de", true), ("NG", true), ("XX", false), ("", false), ("ZZ", false), ("USA", false),
        ])
    func knownRegion(region: String, known: Bool) {
        #expect(PhoneNumber.isKnownRegion(region) == known)
    }
}
