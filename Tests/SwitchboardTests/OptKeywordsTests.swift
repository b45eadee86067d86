import Testing

@testable import Switchboard

/// The keyword test every inbound message goes through: the same answers as normalising the message and every
/// keyword (``Gateway/keyword(_:)``), made once per channel and configuration.
@Suite struct OptKeywordsTests {
    static func channel(
        _ id: String = "sms", optOut: [String] = Configuration.Channel.defaultOptOutKeywords,
        optIn: [String] = Configuration.Channel.defaultOptInKeywords
    ) -> Configuration.Channel {
        Configuration.Channel(
            id: id, provider: "sms-provider", numbers: ["+14155550199"], optOutKeywords: optOut, optInKeywords: optIn)
    }

    /// The rule the quick test stands in for, spelled out.
    static func slowMatch(_ text: String, _ channel: Configuration.Channel) -> Bool? {
        let word = Gateway.keyword(text)
        guard !word.isEmpty else { return nil }
        if channel.optOutKeywords.contains(where: { Gateway.keyword($0) == word }) { return true }
        if channel.optInKeywords.contains(where: { Gateway.keyword($0) == word }) { return false }
        return nil
    }

    @Test(arguments: [
        "STOP", "  stop \n", "Stop", "opt \t  out", "Opt Out", "START", "unstop", "UNSUBSCRIBE", " unsubscribe ",
        "stop please", "please stop", "Hello from the bench 123", "", "   ", "STOP!", "stöp", "ＳＴＯＰ", "stop\u{301}",
        String(repeating: " ", count: 200) + "stop" + String(repeating: "\n", count: 200),
    ])
    func answersAsNormalisingEverything(text: String) {
        let channel = Self.channel()
        #expect(OptKeywords.of(channel).match(text) == Self.slowMatch(text, channel), "\(text.debugDescription)")
    }

    @Test func aMessageLongerThanEveryKeywordIsNone() {
        let keywords = OptKeywords(optOut: ["STOP"], optIn: ["START"])
        #expect(keywords.longest == 5)
        #expect(keywords.match("start") == false)
        #expect(keywords.match("stop") == true)
        #expect(keywords.match("starts") == nil)
    }

    @Test func noKeywordsMatchNothing() {
        let keywords = OptKeywords(optOut: [], optIn: ["   "])
        #expect(keywords.match("STOP") == nil)
        #expect(keywords.match("   ") == nil)
    }

    @Test func anOptOutKeywordWinsOverTheSameOptInKeyword() {
        #expect(OptKeywords(optOut: ["go"], optIn: ["GO"]).match(" Go ") == true)
    }

    /// A reload that changes a channel's keywords applies to the next message, not the ones made before.
    @Test func changedKeywordsOfAChannelAreMadeAgain() {
        let id = "reloaded-\(UInt64.random(in: 0...UInt64.max))"
        #expect(OptKeywords.of(Self.channel(id, optOut: ["HALT"], optIn: [])).match("halt") == true)
        #expect(OptKeywords.of(Self.channel(id, optOut: ["CEASE"], optIn: [])).match("halt") == nil)
        #expect(OptKeywords.of(Self.channel(id, optOut: ["CEASE"], optIn: [])).match("cease") == true)
        #expect(OptKeywords.of(Self.channel(id, optOut: ["CEASE"], optIn: ["HALT"])).match("halt") == false)
    }
}
