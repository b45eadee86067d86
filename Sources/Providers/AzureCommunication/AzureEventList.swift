import Foundation
import Switchboard

/// What the Event Grid (`events`) and Call Automation (`call-events`) deliveries share: a body that is one event
/// object or an array of them, each named in errors by its place in the delivery.
enum AzureEventList {
    /// The delivery's events with their labels (`what`, or `what, event N of M`); `400` when the body is neither
    /// an object nor an array (`body` says which objects it should be), or an element is not an object.
    static func events(
        of document: JSONValue, what: String, body: String
    ) throws(SwitchboardError) -> [(event: JSONValue, label: String)] {
        let list: [JSONValue]
        switch document {
        case .array(let items): list = items
        case .object: list = [document]
        default: throw .invalidRequest("\(what): the body must be \(body)")
        }
        var events: [(event: JSONValue, label: String)] = []
        for (offset, event) in list.enumerated() {
            let label = list.count == 1 ? what : "\(what), event \(offset + 1) of \(list.count)"
            guard event.isObject else { throw .invalidRequest("\(label): an event must be a JSON object") }
            events.append((event, label))
        }
        return events
    }

    /// The member's string, `nil` when absent, not a string or empty.
    static func nonEmptyString(_ value: JSONValue?) -> String? {
        guard let string = value?.stringValue, !string.isEmpty else { return nil }
        return string
    }
}
