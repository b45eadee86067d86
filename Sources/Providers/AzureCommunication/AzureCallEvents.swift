import Foundation
import Switchboard

/// The Call Automation callbacks of one `call-events` delivery (CloudEvents, a single object or a batch array) of
/// a call the gateway answered: `CallDisconnected`, `CallTransferAccepted`, `CallTransferFailed`; other types are
/// answered `200` and not stored. Each event's CloudEvent `id` is its dedupe key.
public struct AzureCallEvents: Sendable, Equatable {
    public static let disconnectedEventType = "Microsoft.Communication.CallDisconnected"
    public static let transferAcceptedEventType = "Microsoft.Communication.CallTransferAccepted"
    public static let transferFailedEventType = "Microsoft.Communication.CallTransferFailed"

    /// The call changes to apply, in delivery order.
    public var events: [CallEvent] = []
    /// Event types received but not handled (answered 200, not stored).
    public var ignoredEventTypes: [String] = []

    /// Decodes `document`; throws `400` naming the first missing field (`type`, `data.callConnectionId`).
    public init(_ document: JSONValue, what: String, now: Date) throws(SwitchboardError) {
        for (event, label) in try AzureEventList.events(
            of: document, what: what, body: "a CloudEvent object or an array of them")
        {
            try decode(event, label: label, now: now)
        }
    }

    private mutating func decode(_ event: JSONValue, label: String, now: Date) throws(SwitchboardError) {
        guard let type = AzureEventList.nonEmptyString(event.member(caseInsensitive: "type")) else {
            throw .missingField("type", in: label)
        }
        let data = event.member(caseInsensitive: "data") ?? .null
        guard let connectionID = AzureEventList.nonEmptyString(data.member(caseInsensitive: "callConnectionId")) else {
            throw .missingField("data.callConnectionId", in: label)
        }
        let change: CallEvent.Change
        switch type {
        case Self.disconnectedEventType: change = .ended
        case Self.transferAcceptedEventType: change = .transferAccepted
        case Self.transferFailedEventType: change = .transferFailed(reason: Self.reason(data))
        default:
            ignoredEventTypes.append(type)
            return
        }
        events.append(
            CallEvent(
                callID: connectionID, from: nil, change: change, receivedAt: now,
                dedupeKey: AzureEventList.nonEmptyString(event.member(caseInsensitive: "id"))))
    }

    /// `resultInformation` as a person reads it: `code/subCode message`.
    static func reason(_ data: JSONValue) -> String {
        let result = data.member(caseInsensitive: "resultInformation")
        let code = result?.member(caseInsensitive: "code")?.stringValue ?? "?"
        let subCode = result?.member(caseInsensitive: "subCode")?.stringValue ?? "?"
        let message = result?.member(caseInsensitive: "message")?.stringValue ?? "no message"
        return "\(code)/\(subCode) \(message)"
    }
}
