import Synchronization

/// A channel's opt-out and opt-in keywords in their keyword form (``Gateway/keyword(_:)``), made once per
/// configuration rather than at every message, with a quick test that rules most messages out before any
/// normalising (normalising the message and every keyword was about a tenth of a webhook's CPU time).
struct OptKeywords: Sendable {
    /// The configured keywords these were made from, to notice a reload that changed them.
    let optOut: [String]
    let optIn: [String]
    let optOutForms: Set<String>
    let optInForms: Set<String>
    /// The longest keyword form, in UTF-8 bytes.
    let longest: Int

    init(optOut: [String], optIn: [String]) {
        self.optOut = optOut
        self.optIn = optIn
        optOutForms = Set(optOut.map(Gateway.keyword).filter { !$0.isEmpty })
        optInForms = Set(optIn.map(Gateway.keyword).filter { !$0.isEmpty })
        longest = optOutForms.union(optInForms).map(\.utf8.count).max() ?? 0
    }

    /// What `text` asks for: `true` to opt out, `false` to opt in, `nil` neither (opt-out keywords win).
    func match(_ text: String) -> Bool? {
        guard !optOutForms.isEmpty || !optInForms.isEmpty else { return nil }
        // A printable ASCII byte is never whitespace and upper-cases to one byte, so each stays one byte of the
        // text's keyword form: a text with more of them than the longest keyword has bytes is none.
        var printable = 0
        for byte in text.utf8 where byte > 0x20 && byte < 0x7F {
            printable += 1
            if printable > longest { return nil }
        }
        let word = Gateway.keyword(text)
        guard !word.isEmpty else { return nil }
        if optOutForms.contains(word) { return true }
        if optInForms.contains(word) { return false }
        return nil
    }

    /// The keywords of `channel`, made once per channel and configuration.
    static func of(_ channel: Configuration.Channel) -> OptKeywords {
        if let made = made.withLock({ $0[channel.id] }), made.optOut == channel.optOutKeywords,
            made.optIn == channel.optInKeywords
        {
            return made
        }
        let keywords = OptKeywords(optOut: channel.optOutKeywords, optIn: channel.optInKeywords)
        made.withLock { $0[channel.id] = keywords }
        return keywords
    }

    private static let made = Mutex<[String: OptKeywords]>([:])
}
