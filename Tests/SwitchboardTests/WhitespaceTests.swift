import Foundation
import Switchboard
import Testing

@Suite struct WhitespaceTests {
    /// Foundation's `.whitespaces` is the promise: space separators and tab, not line breaks.
    @Test(
        arguments: [
            "", " ", "\t \t", "7", " 7", "7 ", "\t 1 2 \t", "a\u{0B}b", "\n5\n", " \r\n x \r\n ", "  Bearer  ",
            "\u{00A0}x\u{3000}", " é ", "\u{2003}\u{2003}", "x\u{200B}", "😀 ",
        ])
    func trimsWhatFoundationTrims(text: String) {
        #expect(text.trimmingWhitespaces() == text.trimmingCharacters(in: .whitespaces))
        let inside = ("[" + text + "]").dropFirst().dropLast()
        #expect(inside.trimmingWhitespaces() == inside.trimmingCharacters(in: .whitespaces))
    }

    @Test func examples() {
        #expect(" \t42\t ".trimmingWhitespaces() == "42")
        #expect(" \t ".trimmingWhitespaces() == "")
        #expect("\n5\n".trimmingWhitespaces() == "\n5\n")
        #expect("\u{00A0}x\u{3000}".trimmingWhitespaces() == "x")
    }
}
