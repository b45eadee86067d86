import Curl
import Foundation
import Switchboard

/// ACS Call Automation REST requests (README "Voice calls"), signed with the same HMAC scheme as ACS SMS: answer an
/// incoming call so that the gateway holds it, bring the bot in, transfer the held call to the agent.
public enum AzureCallAutomationAPI {
    public static let apiVersion = "2023-10-15"
    /// The webhook kind that receives the Call Automation callbacks of calls the gateway answered.
    public static let callbackKind = "call-events"

    /// The CommunicationIdentifierModel of an agent's `voiceEndpoint` or a bot's target: an ACS user (`8:acs:…`) or
    /// an E.164 number; `nil` for anything else (a Twilio client or SIP URI cannot be an ACS target).
    public static func target(endpoint: String) -> JSONValue? {
        if endpoint.hasPrefix("8:") {
            return .object([
                "kind": .string("communicationUser"), "rawId": .string(endpoint),
                "communicationUser": .object(["id": .string(endpoint)]),
            ])
        }
        if endpoint.hasPrefix("+"), endpoint.dropFirst().allSatisfy(\.isNumber), endpoint.count > 4 {
            return .object([
                "kind": .string("phoneNumber"), "rawId": .string("4:" + endpoint),
                "phoneNumber": .object(["value": .string(endpoint)]),
            ])
        }
        return nil
    }

    /// `{publicURL}/webhooks/{channelId}/call-events?code=<eventGridSecret>`: where Call Automation posts the
    /// callbacks of a call the gateway answered, checked like the Event Grid route.
    public static func callbackURI(channel: Configuration.Channel, publicURL: String) -> String {
        let secret = FormParameters.encodeComponent(channel.credential("eventGridSecret") ?? "")
        return "\(publicURL)/webhooks/\(FormParameters.encodeComponent(channel.id))/\(callbackKind)?"
            + "\(AzureEventGridAdapter.secretParameter)=\(secret)"
    }

    /// `POST …/calling/callConnections:answer` with `incomingCallContext` and `callbackUri`; answered
    /// `CallConnectionProperties` (`callConnectionId`, `serverCallId`, …).
    public static func answerRequest(
        channel: Configuration.Channel, incomingCallContext: String, publicURL: String, date: Date = Date()
    ) -> CurlRequest? {
        signedRequest(
            channel: channel, path: "/calling/callConnections:answer",
            body: [
                "incomingCallContext": .string(incomingCallContext),
                "callbackUri": .string(callbackURI(channel: channel, publicURL: publicURL)),
            ], date: date)
    }

    /// `POST …/calling/callConnections/{callConnectionId}:transferToParticipant` with `targetParticipant`, and
    /// `transferee` (the participant moved) when given; `nil` when the endpoint is no ACS target.
    public static func transferRequest(
        channel: Configuration.Channel, callConnectionID: String, endpoint: String, transferee: String? = nil,
        date: Date = Date()
    ) -> CurlRequest? {
        guard let target = target(endpoint: endpoint) else { return nil }
        var body = ["targetParticipant": target]
        if let transferee = transferee.flatMap(Self.target(endpoint:)) { body["transferee"] = transferee }
        return signedRequest(
            channel: channel,
            path: "/calling/callConnections/\(FormParameters.encodeComponent(callConnectionID)):transferToParticipant",
            body: body, date: date)
    }

    /// `POST …/calling/callConnections/{callConnectionId}/participants:add` with `participantToAdd`; `nil` when the
    /// target is no ACS target.
    public static func addParticipantRequest(
        channel: Configuration.Channel, callConnectionID: String, target endpoint: String, date: Date = Date()
    ) -> CurlRequest? {
        guard let target = target(endpoint: endpoint) else { return nil }
        return signedRequest(
            channel: channel,
            path: "/calling/callConnections/\(FormParameters.encodeComponent(callConnectionID))/participants:add",
            body: ["participantToAdd": target], date: date)
    }

    /// `POST {apiBaseURL ?? endpoint}{path}?api-version=…` with a JSON body, HMAC-signed; `nil` when the access key
    /// does not decode or the URL is not absolute.
    static func signedRequest(
        channel: Configuration.Channel, path: String, body: [String: JSONValue], date: Date
    ) -> CurlRequest? {
        guard let signer = AzureHMACSigner(accessKey: channel.credential("accessKey") ?? "") else { return nil }
        var base = channel.apiBaseURL ?? channel.credential("endpoint") ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + path + "?api-version=\(apiVersion)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let bytes = try? encoder.encode(JSONValue.object(body)),
            let signed = signer.headers(method: "POST", url: url, body: Array(bytes), date: date)
        else { return nil }
        // A webhook waits for the answer, and Event Grid gives up on a webhook after 30 s.
        return CurlRequest(
            method: "POST", url: url, headers: signed + [(name: "Content-Type", value: "application/json")],
            body: Array(bytes), timeout: 10, connectTimeout: 5)
    }
}
