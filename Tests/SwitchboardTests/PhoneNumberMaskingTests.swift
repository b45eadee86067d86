import Testing

@testable import Switchboard

@Suite("PhoneNumber.masked: numbers in logs")
struct PhoneNumberMaskingTests {
    @Test(
        "all but the last 4 digits are masked",
        arguments: [
            ("+4915123456789", "+*********6789"),
            ("whatsapp:+14155550100", "whatsapp:+*******0100"),
            ("+1 (415) 555-0100", "+* (***) ***-0100"),
            ("12345", "*2345"),
            ("1234", "1234"),
            ("AcmeInc", "AcmeInc"),
            ("", ""),
        ])
    func masked(address: String, expected: String) {
        #expect(PhoneNumber.masked(address) == expected)
    }

    @Test("a number's description is masked")
    func description() throws {
        let number = try PhoneNumber.parse("+49 151 23456789", region: "DE")
        #expect(number.masked == "+*********6789")
        #expect("\(number)" == "+*********6789")
        #expect(!String(reflecting: number).contains("15123456789"))
    }
}
