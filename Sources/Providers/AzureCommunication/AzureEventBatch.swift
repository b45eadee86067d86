import Foundation
import Switchboard

/// The events of one Event Grid delivery, decoded (Event Grid or CloudEvents schema, array or single object).
public struct AzureEventBatch: Sendable, Equatable {
    public static let validationEventType = "Microsoft.EventGrid.SubscriptionValidationEvent"
    public static let smsReceivedEventType = "Microsoft.Communication.SMSReceived"
    public static let deliveryReportEventType = "Microsoft.Communication.SMSDeliveryReportReceived"
    public static let incomingCallEventType = "Microsoft.Communication.IncomingCall"

    /// Messages and delivery reports to store, in delivery order.
    public var events: [InboundEvent] = []
    /// Set when the delivery is a subscription handshake: the code to echo.
    public var validationCode: String?
    /// Event types received but not handled (answered 200, not stored; for logs and metrics).
    public var ignoredEventTypes: [String] = []

    /// Decodes `document`; throws `400` naming the first missing field (`id`, `data.messageId`, …).
    public init(_ document: JSONValue, what: String, now: Date) throws(SwitchboardError) {
        for (event, label) in try AzureEventList.events(
            of: document, what: what, body: "an event object or an array of events")
        {
            try decode(event, label: label, now: now)
        }
    }

    private mutating func decode(_ event: JSONValue, label: String, now: Date) throws(SwitchboardError) {
        guard let id = AzureEventList.nonEmptyString(event.member(caseInsensitive: "id")) else {
            throw .missingField("id", in: label)
        }
        // Event Grid schema calls it `eventType`, CloudEvents `type`.
        guard
            let type = AzureEventList.nonEmptyString(event.member(caseInsensitive: "eventType"))
                ?? AzureEventList.nonEmptyString(event.member(caseInsensitive: "type"))
        else { throw .missingField("eventType", in: label) }
        let data = event.member(caseInsensitive: "data") ?? .null
        func required(_ key: String) throws(SwitchboardError) -> String {
            guard let value = data.member(caseInsensitive: key)?.stringValue else {
                throw .missingField("data.\(key)", in: label)
            }
            return value
        }

        switch type {
        case Self.validationEventType:
            let code = try required("validationCode")
            guard !code.isEmpty else { throw .missingField("data.validationCode", in: label) }
            validationCode = code
        case Self.smsReceivedEventType:
            let messageID = try required("messageId")
            let from = try required("from")
            let to = try required("to")
            let text = try required("message")
            guard !messageID.isEmpty else { throw .missingField("data.messageId", in: label) }
            guard !from.isEmpty else { throw .missingField("data.from", in: label) }
            guard !to.isEmpty else { throw .missingField("data.to", in: label) }
            let receivedAt = data.member(caseInsensitive: "receivedTimestamp")?.stringValue.flatMap(HTTPDate.rfc3339)
            events.append(
                .message(
                    InboundMessage(
                        providerMessageID: messageID, dedupeKey: id, from: from, to: to, text: text, media: [],
                        medium: .sms, receivedAt: receivedAt ?? now)))
        case Self.deliveryReportEventType:
            let messageID = try required("messageId")
            guard !messageID.isEmpty else { throw .missingField("data.messageId", in: label) }
            let deliveryStatus = data.member(caseInsensitive: "deliveryStatus")?.stringValue ?? ""
            let details = data.member(caseInsensitive: "deliveryStatusDetails")?.stringValue
            let status: MessageStatus
            var error: ProviderErrorDetail?
            switch deliveryStatus.lowercased() {
            case "delivered": status = .delivered
            case "failed":
                status = .failed
                error = ProviderErrorDetail(
                    code: deliveryStatus, message: details.flatMap { $0.isEmpty ? nil : $0 } ?? "Delivery failed")
            default:
                // A status we do not know tells nothing we could act on.
                ignoredEventTypes.append("\(type) (\(deliveryStatus.isEmpty ? "no deliveryStatus" : deliveryStatus))")
                return
            }
            events.append(
                .status(
                    DeliveryReport(
                        providerMessageID: messageID, dedupeKey: id, status: status, error: error, optedOut: false,
                        receivedAt: now)))
        case Self.incomingCallEventType:
            events.append(.call(try incomingCall(data, eventID: id, label: label, now: now)))
        default:
            ignoredEventTypes.append(type)
        }
    }

    /// `IncomingCall` (providers.md §2.8): the caller is the `phoneNumber` of the `from` identifier, else its raw
    /// id (an ACS user is kept as such); `incomingCallContext` is what answering or redirecting the call needs.
    private func incomingCall(
        _ data: JSONValue, eventID: String, label: String, now: Date
    ) throws(SwitchboardError)
        -> CallEvent
    {
        guard let from = data.member(caseInsensitive: "from"), from.isObject else {
            throw .missingField("data.from", in: label)
        }
        guard
            let caller = AzureEventList.nonEmptyString(
                from.member(caseInsensitive: "phoneNumber")?.member(caseInsensitive: "value"))
                ?? AzureEventList.nonEmptyString(from.member(caseInsensitive: "rawId"))
                ?? AzureEventList.nonEmptyString(
                    from.member(caseInsensitive: "communicationUser")?.member(caseInsensitive: "id"))
        else { throw .missingField("data.from", in: label) }
        guard let context = AzureEventList.nonEmptyString(data.member(caseInsensitive: "incomingCallContext")) else {
            throw .missingField("data.incomingCallContext", in: label)
        }
        let callID =
            AzureEventList.nonEmptyString(data.member(caseInsensitive: "serverCallId"))
            ?? AzureEventList.nonEmptyString(data.member(caseInsensitive: "correlationId")) ?? eventID
        return CallEvent(
            callID: callID, from: caller, change: .incoming(providerContext: context, notifyNow: true), receivedAt: now)
    }
}
