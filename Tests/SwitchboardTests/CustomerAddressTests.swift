import Testing

@testable import Switchboard

@Suite("CustomerAddress.fromProvider: senders that providers report")
struct CustomerAddressTests {
    @Test(
        "phone numbers are international even without +",
        arguments: [
            ("447700900001", "+447700900001"),
            ("4915123456789", "+4915123456789"),
            ("+4915123456789", "+4915123456789"),
            ("14155550100", "+14155550100"),
            ("+14155550100", "+14155550100"),
            // A form-encoded "+" that was decoded as a space.
            (" 14155550100", "+14155550100"),
            ("4915123456789\n", "+4915123456789"),
            ("+44 7700 900001", "+447700900001"),
            ("+1 (415) 555-0100", "+14155550100"),
            ("8613800138000", "+8613800138000"),
        ])
    func phone(raw: String, e164: String) throws {
        let address = CustomerAddress.fromProvider(raw)
        let number = try #require(address.phoneNumber)
        #expect(number.e164 == e164)
        #expect(address.key == e164)
        #expect(address.isPhoneNumber)
    }

    @Test("a German mobile without + is not read as a national number of any region")
    func germanMobile() throws {
        let number = try #require(CustomerAddress.fromProvider("4915123456789").phoneNumber)
        #expect(number.e164 == "+4915123456789")
        #expect(number.regionCode == "DE")
        #expect(number.type == .mobile)
    }

    @Test("a number the 2022 metadata does not know is still a phone number")
    func invalidIsNotAGate() throws {
        let number = try #require(CustomerAddress.fromProvider("19835550100").phoneNumber)
        #expect(number.e164 == "+19835550100")
        #expect(!number.isValid)
    }

    @Test(
        "senders that are no phone number are kept verbatim",
        arguments: [
            "12345", "123456", "AcmeInc", "MyBrand", "whatsapp:+14155550100", "ABC123", "0000000000", "99912345678",
            "", " ", "+", "+1", "+49 abc", "1-800-FLOWERS",
            // Digits, but not ASCII ones: Arabic-Indic, full-width, a digit with a combining accent.
            "٤٤٧٧٠٠٩٠٠٠٠١", "１４１５５５５０１００", "14155550100\u{301}",
        ])
    func other(raw: String) {
        let address = CustomerAddress.fromProvider(raw)
        #expect(address == .other(raw))
        #expect(address.key == raw)
        #expect(!address.isPhoneNumber)
        #expect(address.phoneNumber == nil)
    }

    @Test("the short-code length can be changed")
    func shortCodeLength() {
        #expect(CustomerAddress.fromProvider("1234567", shortCodeMaxDigits: 8) == .other("1234567"))
        #expect(CustomerAddress.fromProvider("14155550100", shortCodeMaxDigits: 8).key == "+14155550100")
        #expect(CustomerAddress.fromProvider("+12345").key == "+12345")
    }

    @Test("a provider's sender matches the same person's typed number")
    func matchesTypedNumber() throws {
        let typed = try PhoneNumber.parse("0151 23456789", region: "DE")
        #expect(CustomerAddress.fromProvider("4915123456789") == .phone(typed))
    }

    @Test("interpolated into a log line, an address is masked")
    func logSafe() {
        #expect("\(CustomerAddress.fromProvider("4915123456789"))" == "+*********6789")
        #expect("\(CustomerAddress.fromProvider("whatsapp:+14155550100"))" == "whatsapp:+*******0100")
        #expect("\(CustomerAddress.fromProvider("AcmeInc"))" == "AcmeInc")
    }

    @Test(
        "the key alone (the ingest fast path) is what the full reading gives",
        arguments: [
            "447700900001", "+4915123456789", " 14155550100", "4915123456789\n", "+44 7700 900001",
            "+1 (415) 555-0100", "8613800138000", "19835550100", "+12345", "+800 1234 5678", "+39 06 1234 5678",
            "12345", "123456", "AcmeInc", "whatsapp:+14155550100", "0000000000", "99912345678", "", " ", "+", "+1",
            "+49 abc", "1-800-FLOWERS", "+9991234567", String(repeating: "9", count: 40),
        ])
    func keyAloneAgrees(raw: String) {
        let address = CustomerAddress.fromProvider(raw)
        let key = CustomerAddress.keyFromProvider(raw)
        #expect(key.key == address.key)
        #expect(key.isPhoneNumber == address.isPhoneNumber)
        #expect(
            CustomerAddress.keyFromProvider(raw, shortCodeMaxDigits: 12)
                == {
                    let address = CustomerAddress.fromProvider(raw, shortCodeMaxDigits: 12)
                    return (address.key, address.isPhoneNumber)
                }())
    }

    @Test("a sender seen again gets the same key, from the recent keys and after they were forgotten")
    func recentKeys() {
        let first = CustomerAddress.keyFromProvider("447700900001")
        #expect(first == ("+447700900001", true))
        #expect(CustomerAddress.keyFromProvider("447700900001") == first)
        #expect(CustomerAddress.keyFromProvider("447700900001", shortCodeMaxDigits: 12) == ("447700900001", false))
        // More senders than the recent keys hold: the first is forgotten, then read again the same way.
        for index in 0..<5_000 { _ = CustomerAddress.keyFromProvider("1415\(5_000_000 + index)") }
        #expect(CustomerAddress.keyFromProvider("447700900001") == first)
        #expect(CustomerAddress.keyFromProvider("14155004999") == ("+14155004999", true))
    }
}
