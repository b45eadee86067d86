import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite("Twilio voice webhooks and Calls API")
struct TwilioVoiceTests {
    func adapter(bot: String?) -> TwilioWebhookAdapter {
        var channel = twilioChannel
        channel.voice = .init(bot: bot.map { .init(connectorName: $0) }, holdMessage: "Hold <please>", queue: "vip")
        return TwilioWebhookAdapter(channel: channel, context: testContext)
    }

    func call(_ result: WebhookResult) -> CallEvent? {
        if case .events(let events, _) = result, case .call(let call) = events.first { return call }
        return nil
    }

    @Test func incomingCallWithoutBotHoldsAndNotifies() throws {
        let result = try adapter(bot: nil).handle(
            twilioRequest(kind: "voice", body: "CallSid=CA1&From=%2B14155550100&To=%2B14155550199"), now: testNow)
        #expect(call(result)?.change == .incoming(providerContext: nil, notifyNow: true))
        #expect(call(result)?.from == "+14155550100")
        #expect(
            String(decoding: reply(result).body, as: UTF8.self)
                == "<Response><Say>Hold &lt;please&gt;</Say><Enqueue action=\"https://gw.example.com/webhooks/"
                + "twilio-main/call-status\">vip</Enqueue></Response>")
    }

    @Test func incomingCallWithBotConnectsIt() throws {
        let result = try adapter(bot: "cx").handle(
            twilioRequest(kind: "voice", body: "CallSid=CA1&From=%2B14155550100&To=%2B14155550199"), now: testNow)
        #expect(call(result)?.change == .incoming(providerContext: nil, notifyNow: false))
        #expect(String(decoding: reply(result).body, as: UTF8.self).contains("<VirtualAgent connectorName=\"cx\"/>"))
    }

    @Test func handoffKeepsLanguageAndParameters() throws {
        let data = FormParameters.encodeComponent(
            #"{"LanguageCode":"fr-FR","AgentHandoffParameters":"{\"topic\":\"billing\"}"}"#)
        let result = try adapter(bot: "cx").handle(
            twilioRequest(
                kind: "handoff", body: "CallSid=CA1&VirtualAgentStatus=completed&VirtualAgentProviderData=\(data)"),
            now: testNow)
        #expect(
            call(result)?.change
                == .botFinished(
                    status: "completed", escalated: false, hungUp: false, language: "fr-FR",
                    variablesJSON: #"{"topic":"billing"}"#))
        let hangup = try adapter(bot: "cx").handle(
            twilioRequest(kind: "handoff", body: "CallSid=CA1&VirtualAgentStatus=hangup"), now: testNow)
        guard case .botFinished(_, _, let hungUp, _, _) = call(hangup)?.change else {
            Issue.record("hangup not decoded")
            return
        }
        #expect(hungUp)
        #expect(String(decoding: reply(hangup).body, as: UTF8.self) == "<Response/>")
    }

    @Test func onlyFinalCallStatusesEndTheCall() throws {
        let ringing = try adapter(bot: nil).handle(
            twilioRequest(kind: "call-status", body: "CallSid=CA1&CallStatus=in-progress"), now: testNow)
        #expect(isImmediate(ringing))
        for body in ["CallSid=CA1&CallStatus=busy", "CallSid=CA1&QueueResult=hangup"] {
            let ended = try adapter(bot: nil).handle(twilioRequest(kind: "call-status", body: body), now: testNow)
            #expect(call(ended)?.change == .ended)
        }
    }

    @Test func forgedCallIsRefused() {
        var request = twilioRequest(kind: "voice", body: "CallSid=CA1&From=%2B14155550100&To=%2B14155550199")
        request.body = Array("CallSid=CA9&From=%2B14155550100&To=%2B14155550199".utf8)
        #expect(thrownError { _ = try adapter(bot: nil).handle(request, now: testNow) }?.code == "signature-invalid")
    }

    @Test(arguments: [
        ("client:alice", "<Client>alice</Client>"),
        ("sip:alice@pbx.example.com", "<Sip>sip:alice@pbx.example.com</Sip>"),
        ("+14155550123", "<Number>+14155550123</Number>"),
    ])
    func dialTwiMLByEndpoint(endpoint: String, noun: String) {
        #expect(TwilioCallsAPI.dialTwiML(endpoint: endpoint) == "<Response><Dial>\(noun)</Dial></Response>")
    }

    @Test func unusableEndpointGivesNoRedirect() {
        #expect(TwilioCallsAPI.dialTwiML(endpoint: "alice") == nil)
        #expect(TwilioCallsAPI.redirectRequest(channel: twilioChannel, callSID: "CA1", endpoint: "") == nil)
        let request = TwilioCallsAPI.redirectRequest(channel: twilioChannel, callSID: "CA1", endpoint: "client:a")
        #expect(
            request?.url
                == "https://api.twilio.com/2010-04-01/Accounts/\(twilioChannel.credential("accountSID")!)/Calls/CA1.json"
        )
    }
}
