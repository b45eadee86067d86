import Foundation
import Switchboard
import Testing

@testable import Providers

/// Fixed clock value for tests.
let testNow = Date(timeIntervalSince1970: 1_764_056_460)  // 2025-11-25T07:41:00Z

let twilioChannel = Configuration.Channel(
    id: "twilio-main", provider: .twilio, numbers: ["+14155550199"],
    credentials: ["accountSID": "AC0123456789abcdef0123456789abcdef", "authToken": "test-auth-token"])

let acsChannel = Configuration.Channel(
    id: "acs-main", provider: .acs, numbers: ["+18005550100"],
    credentials: [
        "endpoint": "https://contoso.communication.azure.com/", "accessKey": "c2VjcmV0LWFjY2Vzcy1rZXk=",
        "eventGridSecret": "grid-secret",
    ])

let testContext = WebhookContext(publicURL: "https://gw.example.com")

/// A Twilio webhook request, signed with the channel's token unless `sign` is false.
func twilioRequest(
    kind: String = "inbound", method: String = "POST", query: String = "", body: String = "",
    contentType: String? = "application/x-www-form-urlencoded", sign: Bool = true,
    channel: Configuration.Channel = twilioChannel, context: WebhookContext = testContext
) -> WebhookRequest {
    var headers: [(name: String, value: String)] = []
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    let bytes = Array(body.utf8)
    if sign {
        let signed = TwilioFixtureSigner(channel: channel, context: context).sign(
            method: method, kind: kind, query: query, headers: headers, body: bytes, now: testNow)
        headers = signed.headers
    }
    return WebhookRequest(method: method, kind: kind, query: query, headers: headers, body: bytes)
}

/// An ACS Event Grid request with `?code=` set to the channel's secret unless `code` overrides it.
func acsRequest(
    method: String = "POST", body: String = "", contentType: String? = "application/json",
    code: String? = "grid-secret", headers extra: [(name: String, value: String)] = []
) -> WebhookRequest {
    var headers = extra
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    let query = code.map { "code=" + FormParameters.encodeComponent($0) } ?? ""
    return WebhookRequest(method: method, kind: "events", query: query, headers: headers, body: Array(body.utf8))
}

/// The ``SwitchboardError`` `body` throws, or `nil` when it throws nothing. Any other error fails the test.
func thrownError(_ body: () throws -> Void) -> SwitchboardError? {
    do {
        try body()
        return nil
    } catch let error as SwitchboardError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// The events of a `.events` or `.conversationEvent` result (empty for `.immediate`).
func storedEvents(_ result: WebhookResult) -> [InboundEvent] {
    switch result {
    case .immediate: []
    case .events(let events, _): events
    case .conversationEvent(let event, _): [event]
    }
}

func reply(_ result: WebhookResult) -> WebhookReply {
    switch result {
    case .immediate(let reply): reply
    case .events(_, let reply): reply
    case .conversationEvent(_, let reply): reply("conv_test")
    }
}

func isImmediate(_ result: WebhookResult) -> Bool {
    if case .immediate = result { return true }
    return false
}

func utcDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(
        from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
}

extension Array where Element == (name: String, value: String) {
    /// The value of the header `name` (exact case), asserting there is exactly one.
    func value(_ name: String) -> String? {
        let matches = filter { $0.name.lowercased() == name.lowercased() }
        return matches.count == 1 ? matches[0].value : nil
    }
}
