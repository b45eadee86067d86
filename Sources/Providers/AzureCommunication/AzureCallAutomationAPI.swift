import Curl
import Foundation
import Switchboard

/// ACS Call Automation (providers.md §2.8): redirect an incoming call to the agent who accepted it, signed with
/// the same HMAC scheme as ACS SMS.
public enum AzureCallAutomationAPI {
    public static let apiVersion = "2023-10-15"

    /// The CommunicationIdentifierModel of an agent's `voiceEndpoint`: an ACS user (`8:acs:…`) or an E.164 number;
    /// `nil` for anything else (a Twilio client or SIP URI cannot be an ACS target).
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

    /// `POST {apiBaseURL ?? endpoint}/calling/callConnections:redirect?api-version=…` with `incomingCallContext`
    /// and the target; `nil` when the endpoint is no ACS target or the access key does not decode.
    public static func redirectRequest(
        channel: Configuration.Channel, incomingCallContext: String, endpoint: String, date: Date = Date()
    ) -> CurlRequest? {
        guard let target = target(endpoint: endpoint),
            let signer = AzureHMACSigner(accessKey: channel.credential("accessKey") ?? "")
        else { return nil }
        var base = channel.apiBaseURL ?? channel.credential("endpoint") ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        let url = base + "/calling/callConnections:redirect?api-version=\(apiVersion)"
        let body = JSONValue.object(["incomingCallContext": .string(incomingCallContext), "target": target])
        guard let bytes = try? JSONEncoder().encode(body),
            let signed = signer.headers(
                method: "POST", url: url, body: Array(bytes), date: date)
        else { return nil }
        return CurlRequest(
            method: "POST", url: url, headers: signed + [(name: "Content-Type", value: "application/json")],
            body: Array(bytes))
    }
}
