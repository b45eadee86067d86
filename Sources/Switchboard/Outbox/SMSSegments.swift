/// How many SMS segments a text takes: what carriers bill and rate-limit.
///
/// GSM-7 text (3GPP TS 23.038 default alphabet, extension characters taking two septets) fits 160 septets in one
/// segment, 153 per segment when concatenated; anything else is sent as UCS-2: 70 UTF-16 units, 67 when
/// concatenated.
public enum SMSSegments {
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
            + "abcdefghijklmnopqrstuvwxyzäöñüà")
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    /// The number of segments `text` is sent in (at least 1, an empty text is one empty segment).
    public static func count(_ text: String) -> Int {
        var septets = 0
        for character in text {
            if basic.contains(character) {
                septets += 1
            } else if extended.contains(character) {
                septets += 2
            } else {
                let units = text.utf16.count
                return units <= 70 ? 1 : (units + 66) / 67
            }
        }
        return septets <= 160 ? 1 : (septets + 152) / 153
    }
}
