import Foundation

/// Writes the JSON text of the events every notification produces (`notification`, `notification.closed`) byte for
/// byte as ``ContractJSON``'s encoder does: keys in sorted order, no whitespace, `/` not escaped, `"` `\` and
/// control characters escaped as `JSONEncoder` escapes them, other characters as they are (UTF-8).
///
/// `JSONEncoder` built a tree of boxed values for each notification and then wrote it: about 50 µs a notification,
/// 6% of the gateway's CPU on the notification path (issue 18, the latency line). Each object here lists its keys
/// already sorted; `AgentEventEncodingTests` checks every field against the encoder.
struct EventJSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `{`, or `,` between members, then `"key":`. `first` starts the object.
    mutating func key(_ key: StaticString, first: Bool = false) {
        bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func endObject() { bytes.append(UInt8(ascii: "}")) }

    mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? Self.trueText : Self.falseText)
    }

    mutating func int(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    mutating func timestamp(_ date: Date) { string(ContractJSON.timestamp(date)) }

    /// A quoted JSON string.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                escape(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `[` … `]` with `element` writing each value.
    mutating func array<Element>(_ elements: [Element], _ element: (inout Self, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: bytes.append(UInt8(ascii: "\""))
        case 0x5C: bytes.append(UInt8(ascii: "\\"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0xF)])
        }
    }

    private static let trueText = Array("true".utf8)
    private static let falseText = Array("false".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension EventJSONWriter {
    /// The `notification` event's data; `nil` for a notification with bot context, which the encoder writes (its
    /// JSON is the bot's, with keys of any kind to sort).
    static func notification(_ n: AgentNotification) -> String? {
        guard n.contextJSON == nil else { return nil }
        var json = EventJSONWriter()
        json.key("allowReject", first: true)
        json.bool(n.allowReject)
        json.member("autoAccept", n.autoAccept)
        json.member("autoAssign", n.autoAssign)
        json.member("channel", n.channel.rawValue)
        json.member("channelId", n.channelId)
        json.member("conversationId", n.conversationId)
        json.key("createdAt")
        json.timestamp(n.createdAt)
        if let customer = n.customer {
            json.key("customer")
            json.customer(customer)
        }
        json.member("desktop", n.desktop.rawValue)
        if let expiresAt = n.expiresAt {
            json.key("expiresAt")
            json.timestamp(expiresAt)
        }
        json.key("fields")
        json.array(n.fields) { json, field in
            json.key("header", first: true)
            json.string(field.header)
            json.member("value", field.value)
            json.endObject()
        }
        json.member("id", n.id)
        json.member("kind", n.kind.rawValue)
        json.member("reason", n.reason)
        json.member("scenario", n.scenario.rawValue)
        json.member("showTimeout", n.showTimeout)
        if let timeoutSeconds = n.timeoutSeconds {
            json.key("timeoutSeconds")
            json.int(timeoutSeconds)
        }
        json.member("title", n.title)
        json.member("workItemId", n.workItemId)
        json.endObject()
        return json.text
    }

    /// The `notification.closed` event's data.
    static func notificationClosed(id: String, outcome: NotificationOutcome) -> String {
        var json = EventJSONWriter(capacity: 96)
        json.key("id", first: true)
        json.string(id)
        json.member("outcome", outcome.rawValue)
        json.endObject()
        return json.text
    }

    /// `,"key":value` after the object's first member; nothing for `nil`, as `encodeIfPresent`.
    private mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    private mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    private mutating func customer(_ customer: NotificationCustomer) {
        var first = true
        if let candidates = customer.candidateContactIds {
            key("candidateContactIds", first: true)
            array(candidates) { json, id in json.string(id) }
            first = false
        }
        if let contactId = customer.contactId {
            key("contactId", first: first)
            string(contactId)
            first = false
        }
        key("matchCount", first: first)
        int(customer.matchCount)
        member("name", customer.name)
        member("phone", customer.phone)
        endObject()
    }
}
