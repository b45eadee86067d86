import CPhoneNumber

/// The one place Swift calls CPhoneNumber's C interface over libphonenumber.
enum LibPhoneNumber {
    /// What libphonenumber made of a text.
    enum Reading {
        /// It parsed; `possibility` says whether its length fits its country.
        case number(PhoneNumber, possibility: cpn_possibility)
        /// It did not parse, for this reason (never `CPN_OK`).
        case failure(cpn_error)
    }

    /// Parses `text` with `region` as the default for numbers without a country code; `nil` reads only numbers with
    /// `+` or an international prefix.
    static func read(_ text: String, region: String?) -> Reading {
        var utf8Text = text
        var result = cpn_result()
        // withUTF8 hands over the exact bytes with their length, so a NUL inside the text cannot cut it short.
        let error = utf8Text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cpn_parse(chars.baseAddress, chars.count, region ?? "", &result)
            }
        }
        guard error == .CPN_OK else { return .failure(error) }
        let regionCode = string(result.region)
        let number = PhoneNumber(
            e164: string(result.e164),
            countryCode: Int(result.country_code),
            // "ZZ": unknown or shared by several regions; "001": non-geographic (+800, +882, …).
            regionCode: regionCode == "ZZ" || regionCode == "001" || regionCode.isEmpty ? nil : regionCode,
            isValid: result.is_valid,
            isPossible: result.is_possible,
            type: PhoneNumberType(result.type),
            nationalFormat: string(result.national),
            internationalFormat: string(result.international)
        )
        return .number(number, possibility: result.possibility)
    }

    /// The E.164 form of a number written with `+` or an international prefix, `nil` when it does not parse
    /// (exactly when ``read(_:region:)`` with no region fails).
    static func e164(ofInternational text: String) -> String? {
        var utf8Text = text
        var buffer = [CChar](repeating: 0, count: Int(CPN_E164_CAPACITY))
        let error = utf8Text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                buffer.withUnsafeMutableBufferPointer { cpn_e164(chars.baseAddress, chars.count, $0.baseAddress) }
            }
        }
        guard error == .CPN_OK else { return nil }
        return buffer.withUnsafeBufferPointer { pointer in
            String(decoding: UnsafeRawBufferPointer(pointer).prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Whether libphonenumber has metadata for this ISO 3166 alpha-2 region (any case).
    static func isKnownRegion(_ region: String) -> Bool {
        cpn_is_known_region(region)
    }

    /// The NUL-terminated UTF-8 text in one of `cpn_result`'s fixed-size `char` arrays (imported as tuples).
    private static func string<Buffer>(_ buffer: Buffer) -> String {
        withUnsafeBytes(of: buffer) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension PhoneNumberType {
    init(_ type: cpn_number_type) {
        switch type {
        case .CPN_TYPE_FIXED_LINE: self = .fixedLine
        case .CPN_TYPE_MOBILE: self = .mobile
        case .CPN_TYPE_FIXED_LINE_OR_MOBILE: self = .fixedLineOrMobile
        case .CPN_TYPE_TOLL_FREE: self = .tollFree
        case .CPN_TYPE_PREMIUM_RATE: self = .premiumRate
        case .CPN_TYPE_SHARED_COST: self = .sharedCost
        case .CPN_TYPE_VOIP: self = .voip
        case .CPN_TYPE_PERSONAL_NUMBER: self = .personalNumber
        case .CPN_TYPE_PAGER: self = .pager
        case .CPN_TYPE_UAN: self = .uan
        case .CPN_TYPE_VOICEMAIL: self = .voicemail
        case .CPN_TYPE_UNKNOWN: self = .unknown
        }
    }
}
