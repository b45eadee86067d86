import Curl
import Foundation
import Switchboard

/// Connects a live call to an agent through Twilio's Calls API: the call's TwiML is replaced by a `<Dial>` to the
/// agent's `voiceEndpoint` (`client:<identity>`, a `sip:` URI or an E.164 number).
public enum TwilioCallsAPI {
    /// The `<Dial>` TwiML for `endpoint`, or `nil` when it is none of the accepted forms.
    public static func dialTwiML(endpoint: String) -> String? {
        let endpoint = endpoint.trimmingWhitespaces()
        let noun: String
        if endpoint.hasPrefix("client:"), endpoint.count > "client:".count {
            noun = "<Client>\(xmlEscaped(String(endpoint.dropFirst("client:".count))))</Client>"
        } else if endpoint.hasPrefix("sip:") || endpoint.hasPrefix("sips:") {
            noun = "<Sip>\(xmlEscaped(endpoint))</Sip>"
        } else if endpoint.hasPrefix("+"), endpoint.dropFirst().allSatisfy(\.isNumber), endpoint.count > 2 {
            noun = "<Number>\(endpoint)</Number>"
        } else {
            return nil
        }
        return "<Response><Dial>\(noun)</Dial></Response>"
    }

    /// `POST {apiBaseURL}/2010-04-01/Accounts/{accountSID}/Calls/{callSID}.json` with `Twiml=<Dial>…`, Basic auth;
    /// `nil` when the endpoint is not usable.
    public static func redirectRequest(
        channel: Configuration.Channel, callSID: String, endpoint: String
    ) -> CurlRequest? {
        guard let twiml = dialTwiML(endpoint: endpoint) else { return nil }
        let accountSID = channel.credential("accountSID") ?? ""
        let authToken = channel.credential("authToken") ?? ""
        var base = channel.apiBaseURL ?? TwilioMessagesAPI.defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        let url =
            base + "/2010-04-01/Accounts/\(FormParameters.encodeComponent(accountSID))/Calls/"
            + "\(FormParameters.encodeComponent(callSID)).json"
        let form = FormParameters([.init(name: "Twiml", value: twiml)])
        let credentials = Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
        return CurlRequest(
            method: "POST", url: url,
            headers: [
                (name: "Authorization", value: "Basic \(credentials)"),
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "Accept", value: "application/json"),
            ],
            body: Array(form.encoded().utf8))
    }
}
