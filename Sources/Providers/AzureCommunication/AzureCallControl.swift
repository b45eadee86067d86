import Curl
import Switchboard

/// ACS voice through Call Automation (``AzureCallAutomationAPI``): the incoming call, known by its
/// `incomingCallContext`, is redirected to the agent who accepted it, or to the channel's bot.
struct AzureCallControl: CallControl {
    let channel: Configuration.Channel
    let client: CurlClient

    func connect(_ call: HeldCall, to endpoint: String) async throws {
        try await redirect(call, to: endpoint, action: "connecting the call", field: "voiceEndpoint")
    }

    func bringInBot(_ call: HeldCall, target: String) async throws {
        try await redirect(call, to: target, action: "redirecting the call to its bot", field: "voice.bot.target")
    }

    private func redirect(_ call: HeldCall, to endpoint: String, action: String, field: String) async throws {
        guard let context = call.providerContext else {
            throw SwitchboardError.invalidRequest(
                "\(channel.id): the call has no incomingCallContext to redirect", field: "incomingCallContext")
        }
        guard
            let request = AzureCallAutomationAPI.redirectRequest(
                channel: channel, incomingCallContext: context, endpoint: endpoint)
        else {
            throw SwitchboardError.invalidRequest(
                "\(channel.id): \(field) \"\(endpoint)\" is no ACS target (8:acs:… user or E.164 number)",
                field: field)
        }
        try await CallRequests.execute(request, client: client, channelID: channel.id, action: action)
    }
}
