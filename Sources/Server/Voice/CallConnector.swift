import Curl
import Foundation
import Logging
import Providers
import Switchboard

/// After an agent accepts a voice conversation, tells the provider to connect the live call to the agent's
/// `voiceEndpoint` (CONTRACT.md §3 "Voice."). Kept out of the router: the router decides who takes the call,
/// this only carries the decision to the provider. Without an endpoint the caller stays on hold.
struct CallConnector: Sendable {
    let configuration: Configuration
    let store: any Store
    let client: CurlClient
    let logger: Logger

    /// Connects the call of `conversationID` to the agent it is assigned to; failures are logged (the caller stays
    /// on hold and the agent holds the conversation).
    func connect(conversationID: String) async {
        guard let conversation = try? await store.conversation(id: conversationID), conversation.medium == .voice,
            let agentID = conversation.assignedAgent,
            let channel = configuration.channel(id: conversation.channelID),
            let endpoint = configuration.agents.first(where: { $0.id == agentID })?.voiceEndpoint,
            case .object(let context) = JSONValue(text: conversation.contextJSON),
            let callID = context["call"]?["id"]?.stringValue
        else { return }
        let request: CurlRequest?
        switch channel.provider {
        case .twilio: request = TwilioCallsAPI.redirectRequest(channel: channel, callSID: callID, endpoint: endpoint)
        case .acs:
            request = context["call"]?["providerContext"]?.stringValue.flatMap {
                AzureCallAutomationAPI.redirectRequest(channel: channel, incomingCallContext: $0, endpoint: endpoint)
            }
        default: request = nil
        }
        guard let request else {
            logger.warning(
                "cannot connect call: no redirect for channel \(channel.id) and agent \(agentID)'s voiceEndpoint")
            return
        }
        do {
            let response = try await client.execute(request)
            if !(200..<300).contains(response.status) {
                logger.warning(
                    "connecting the call of \(conversationID) to \(agentID) failed: \(channel.id) answered \(response.status)"
                )
            }
        } catch {
            logger.warning(
                "connecting call of conversation \(conversationID) to agent \(agentID) failed on \(channel.id): \(error)"
            )
        }
    }

    /// ACS with `voice.bot.target`: sends the new call to the bot, which hands over through the `bot` channel.
    /// (Twilio reaches its bot through the TwiML answer instead.)
    func redirectToBot(channel: Configuration.Channel, providerContext: String) async {
        guard channel.provider == .acs, let target = channel.voice?.bot?.target else { return }
        guard
            let request = AzureCallAutomationAPI.redirectRequest(
                channel: channel, incomingCallContext: providerContext, endpoint: target)
        else {
            logger.warning("cannot redirect a call on \(channel.id) to its bot: voice.bot.target is no ACS target")
            return
        }
        do {
            let response = try await client.execute(request)
            if !(200..<300).contains(response.status) {
                logger.warning("redirecting a call on \(channel.id) to its bot failed: HTTP \(response.status)")
            }
        } catch {
            logger.warning("redirecting a call on \(channel.id) to its bot failed: \(error)")
        }
    }
}
