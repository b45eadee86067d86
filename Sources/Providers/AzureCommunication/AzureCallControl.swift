import Curl
import Foundation
import Switchboard

/// ACS voice through Call Automation (``AzureCallAutomationAPI``): the gateway answers each incoming call (known
/// by its `incomingCallContext`) and so holds a call connection, into which it adds the channel's bot, and which it
/// transfers to the agent who accepted the call.
struct AzureCallControl: CallControl {
    let channel: Configuration.Channel
    let client: CurlClient

    func answer(_ call: HeldCall, publicURL: String) async throws -> HeldCall {
        guard let context = call.providerContext else {
            throw SwitchboardError.invalidRequest(
                "\(channel.id): the call has no incomingCallContext to answer", field: "incomingCallContext")
        }
        guard
            let request = AzureCallAutomationAPI.answerRequest(
                channel: channel, incomingCallContext: context, publicURL: publicURL)
        else { throw unsignable }
        let response = try await CallRequests.execute(
            request, client: client, channelID: channel.id, action: "answering the call")
        let properties = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))
        guard let connectionID = properties?.member(caseInsensitive: "callConnectionId")?.stringValue,
            !connectionID.isEmpty
        else {
            throw SwitchboardError(
                status: 502, code: "provider-error",
                message: "\(channel.id): answering the call gave no callConnectionId")
        }
        var answered = call
        answered.connectionID = connectionID
        return answered
    }

    func connect(_ call: HeldCall, to endpoint: String) async throws {
        let connectionID = try heldConnection(of: call)
        // With the bot in the call there are three participants: name the caller as the one to move.
        let transferee = channel.voice?.bot?.target == nil ? nil : call.caller
        guard
            let request = AzureCallAutomationAPI.transferRequest(
                channel: channel, callConnectionID: connectionID, endpoint: endpoint, transferee: transferee)
        else { throw noTarget(endpoint, field: "voiceEndpoint") }
        try await CallRequests.execute(request, client: client, channelID: channel.id, action: "connecting the call")
    }

    func bringInBot(_ call: HeldCall, target: String) async throws {
        let connectionID = try heldConnection(of: call)
        guard
            let request = AzureCallAutomationAPI.addParticipantRequest(
                channel: channel, callConnectionID: connectionID, target: target)
        else { throw noTarget(target, field: "voice.bot.target") }
        try await CallRequests.execute(
            request, client: client, channelID: channel.id, action: "adding the bot to the call")
    }

    private func heldConnection(of call: HeldCall) throws -> String {
        guard let connectionID = call.connectionID else {
            throw SwitchboardError.conflict(
                "cannot-connect", "\(channel.id): the call \(call.callID) was not answered, so there is no call to move"
            )
        }
        return connectionID
    }

    private var unsignable: SwitchboardError {
        .invalidRequest(
            "\(channel.id): cannot sign Call Automation requests; check credentials.accessKey and endpoint",
            field: "credentials.accessKey")
    }

    private func noTarget(_ endpoint: String, field: String) -> SwitchboardError {
        .invalidRequest(
            "\(channel.id): \(field) \"\(endpoint)\" is no ACS target (8:acs:… user or E.164 number)", field: field)
    }
}
