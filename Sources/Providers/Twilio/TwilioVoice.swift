import Foundation
import Switchboard

/// Twilio voice webhooks (CONTRACT.md §3 "Voice."): `voice` (incoming call), `handoff` (`<Connect><VirtualAgent>`
/// action) and `call-status` (status callback, `<Enqueue>` action), and the TwiML they are answered with.
extension TwilioWebhookAdapter {
    static let voiceKinds: Set<String> = ["voice", "call-status", "handoff"]
    /// `CallStatus` values that mean the call is over.
    static let endedCallStatuses: Set<String> = ["completed", "busy", "failed", "no-answer", "canceled"]

    func voiceResult(
        kind: String, _ p: FormParameters, what: String, now: Date
    ) throws(SwitchboardError)
        -> WebhookResult
    {
        let callSID = try required(p, "CallSid", what: what)
        let voice = channel.voice ?? Configuration.Channel.Voice()
        switch kind {
        case "voice":
            let from = try required(p, "From", what: what)
            _ = try required(p, "To", what: what)
            let connector = voice.bot?.connectorName.flatMap { $0.isEmpty ? nil : $0 }
            let event = CallEvent(
                callID: callSID, from: from, change: .incoming(providerContext: nil, notifyNow: connector == nil),
                receivedAt: now)
            let reply = connector.map { connectTwiML(connectorName: $0) } ?? holdTwiML(voice)
            return .events([.call(event)], reply: reply)
        case "handoff":
            let status = try required(p, "VirtualAgentStatus", what: what)
            let data = JSONValue(text: p.first("VirtualAgentProviderData"))
            var variables = data?["AgentHandoffParameters"]
            // Dialogflow CX sends the parameters as an object; some connectors as JSON text.
            if let text = variables?.stringValue { variables = JSONValue(text: text) }
            let hungUp = status == "hangup"
            let event = CallEvent(
                callID: callSID, from: p.first("From"),
                change: .botFinished(
                    status: status, escalated: status == "live-agent-handoff", hungUp: hungUp,
                    language: data?["LanguageCode"]?.stringValue,
                    variablesJSON: variables.flatMap { $0.isObject ? Self.jsonText($0) : nil }),
                receivedAt: now)
            return .events([.call(event)], reply: hungUp ? Self.emptyResponse : holdTwiML(voice))
        default:
            let callStatus = p.first("CallStatus") ?? ""
            guard Self.endedCallStatuses.contains(callStatus) || p.first("QueueResult") == "hangup" else {
                return .immediate(Self.emptyResponse)
            }
            let event = CallEvent(callID: callSID, from: p.first("From"), change: .ended, receivedAt: now)
            return .events([.call(event)], reply: Self.emptyResponse)
        }
    }

    /// `<Say>{holdMessage}</Say><Enqueue action=".../call-status">{queue}</Enqueue>`.
    func holdTwiML(_ voice: Configuration.Channel.Voice) -> WebhookReply {
        let action = signedURL(kind: "call-status", query: "")
        return Self.twiML(
            "<Response><Say>\(xmlEscaped(voice.holdMessage))</Say><Enqueue action=\"\(xmlEscaped(action))\">"
                + "\(xmlEscaped(voice.queue ?? channel.queue))</Enqueue></Response>")
    }

    /// Connects the caller to the bot; its action URL is our `handoff` route.
    func connectTwiML(connectorName: String) -> WebhookReply {
        let action = signedURL(kind: "handoff", query: "")
        return Self.twiML(
            "<Response><Connect action=\"\(xmlEscaped(action))\"><VirtualAgent connectorName=\""
                + "\(xmlEscaped(connectorName))\"/></Connect></Response>")
    }

    static func twiML(_ document: String) -> WebhookReply {
        WebhookReply(status: 200, headers: ["Content-Type": "text/xml"], body: Array(document.utf8))
    }

    static func jsonText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Text safe inside XML content and double-quoted attributes.
func xmlEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&apos;"
        default: escaped.append(character)
        }
    }
    return escaped
}
