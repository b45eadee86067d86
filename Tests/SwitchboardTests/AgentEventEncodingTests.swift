import Foundation
import Testing

@testable import Switchboard

/// The hot agent events are written by hand (``EventJSONWriter``); an SSE client, a replay from the store and the
/// contract's examples must see exactly the bytes `JSONEncoder` wrote before.
@Suite("Agent event JSON")
struct AgentEventEncodingTests {
    /// Every control character, the characters JSON escapes, `/`, DEL, and text beyond ASCII.
    static let texts: [String] =
        [
            "", "plain", "quote \" inside", "back\\slash", "a/b", "https://example.com/x?y=1&z=2", "tab\tand\nnewline",
            "\r\u{8}\u{C}", "\u{7F}", "é Zoë", "😀 emoji", "line\u{2028}separator", "\u{FEFF}bom", "<script>",
        ] + (0..<0x20).map { "c\(String(UnicodeScalar(UInt8($0))))c" }

    static func notification(
        text: String, optionals: Bool, customer: NotificationCustomer?, date: Date
    ) -> AgentNotification {
        AgentNotification(
            id: "ntf-" + text, kind: optionals ? .alert : .toast, scenario: optionals ? .incomingSMS : .botEscalation,
            conversationId: optionals ? "conv-" + text : nil, workItemId: optionals ? "wi-" + text : nil,
            channel: optionals ? .sms : .voice, channelId: optionals ? text : nil, title: "Incoming SMS from " + text,
            fields: optionals ? [.init(header: text, value: text), .init(header: "Phone", value: "+1415")] : [],
            customer: customer, reason: optionals ? text : nil, allowReject: optionals, autoAssign: !optionals,
            autoAccept: optionals, showTimeout: !optionals, timeoutSeconds: optionals ? -5 + text.count * 1_000 : nil,
            expiresAt: optionals ? date.addingTimeInterval(30.0005) : nil, desktop: optionals ? .always : .never,
            createdAt: date)
    }

    static func customers(_ text: String) -> [NotificationCustomer?] {
        var full = NotificationCustomer(phone: "+1" + text, match: .none)
        full.contactId = "ct-" + text
        full.name = text
        full.matchCount = 12
        full.candidateContactIds = ["a", text, "c"]
        var some = NotificationCustomer(phone: text, match: .none)
        some.name = text
        var candidatesOnly = NotificationCustomer(phone: "+14155550100", match: .none)
        candidatesOnly.candidateContactIds = []
        candidatesOnly.matchCount = 2
        return [nil, NotificationCustomer(phone: "+14155550100", match: .none), full, some, candidatesOnly]
    }

    static let dates = [
        Date(timeIntervalSince1970: 1_796_000_000.123), Date(timeIntervalSince1970: 0),
        Date(timeIntervalSince1970: 1_796_000_000.9996), Date(timeIntervalSinceReferenceDate: 123.456_789),
    ]

    @Test func notificationsAreTheEncodersBytes() throws {
        var compared = 0
        for text in Self.texts {
            for optionals in [true, false] {
                for customer in Self.customers(text) {
                    for date in Self.dates {
                        let notification = Self.notification(
                            text: text, optionals: optionals, customer: customer, date: date)
                        let expected = try ContractJSON.string(NotificationBody(notification))
                        let written = try #require(EventJSONWriter.notification(notification))
                        #expect(written == expected, "\(text.debugDescription)")
                        #expect(try AgentEventEncoding.data(of: .notification(notification)) == expected)
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == Self.texts.count * 2 * 5 * Self.dates.count)
    }

    /// Bot context is the bot's own JSON: the encoder writes it (its keys sorted wherever they are).
    @Test func aNotificationWithBotContextIsLeftToTheEncoder() throws {
        var notification = Self.notification(
            text: "bot", optionals: true, customer: nil, date: Self.dates[0])
        notification.contextJSON = #"{"topic":"billing","b":[1,2.5,"x/y"],"a":{"z":null,"y":true}}"#
        #expect(EventJSONWriter.notification(notification) == nil)
        let data = try AgentEventEncoding.data(of: .notification(notification))
        #expect(data == (try ContractJSON.string(NotificationBody(notification))))
        #expect(data.contains(#""context":{"a":{"y":true,"z":null},"b":[1,2.5,"x/y"],"topic":"billing"}"#))
    }

    @Test(arguments: [NotificationOutcome.accepted, .autoAccepted, .rejected, .timedOut, .withdrawn])
    func closedEventsAreTheEncodersBytes(_ outcome: NotificationOutcome) throws {
        for text in Self.texts {
            let expected = try ContractJSON.string(["id": text, "outcome": outcome.rawValue])
            #expect(try AgentEventEncoding.data(of: .notificationClosed(id: text, outcome: outcome)) == expected)
        }
    }
}
