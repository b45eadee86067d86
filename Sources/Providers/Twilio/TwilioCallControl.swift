import Curl
import Switchboard

/// Twilio voice: an accepted call's TwiML is replaced by a `<Dial>` to the agent (``TwilioCallsAPI``). Twilio
/// reaches its bot through the `voice` webhook's TwiML answer, so bringing one in needs no request.
struct TwilioCallControl: CallControl {
    let channel: Configuration.Channel
    let client: CurlClient

    func connect(_ call: HeldCall, to endpoint: String) async throws {
        guard let request = TwilioCallsAPI.redirectRequest(channel: channel, callSID: call.callID, endpoint: endpoint)
        else {
            throw SwitchboardError.invalidRequest(
                "\(channel.id): voiceEndpoint \"\(endpoint)\" is not client:<identity>, a sip: URI or an E.164 number",
                field: "voiceEndpoint")
        }
        try await CallRequests.execute(request, client: client, channelID: channel.id, action: "connecting the call")
    }

    func bringInBot(_ call: HeldCall, target: String) async throws {}
}
