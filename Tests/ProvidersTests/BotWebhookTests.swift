import Crypto
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite("Bot handoff webhook")
struct BotWebhookTests {
    let adapter = BotWebhookAdapter(channel: botChannel, context: testContext)

    func decode(_ request: WebhookRequest) throws -> (BotHandoff, WebhookReply) {
        guard case .conversationEvent(.handoff(let handoff), let reply) = try adapter.handle(request, now: testNow)
        else { throw SwitchboardError.invalidRequest("not a handoff") }
        return (handoff, reply("conv_1"))
    }

    /// The example of the Standard Webhooks specification, so our signature is theirs, not just self-consistent.
    @Test func signatureMatchesTheStandardWebhooksExample() throws {
        let key = try #require(StandardWebhookSignature.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = StandardWebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
            body: Array(#"{"test": 2432232314}"#.utf8), key: key)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(
            StandardWebhookSignature.isValid(
                header: "v1,bm90LXRoaXMtb25l " + signature, id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                timestamp: "1614265330", body: Array(#"{"test": 2432232314}"#.utf8), key: key))
    }

    @Test func validHandoffBecomesTranscriptContextAndReply() throws {
        let (handoff, reply) = try decode(botRequest())
        #expect(handoff.dedupeKey == "msg_1")
        #expect(handoff.customerPhone == "+14155550100")
        #expect(handoff.medium == .voice)
        #expect(handoff.priority == 2)
        #expect(
            handoff.transcript == [
                TranscriptLine(author: .customer, text: "I was charged twice"),
                TranscriptLine(author: .bot, text: "Connecting you"),
            ])
        #expect(handoff.replayGuard?.outsideWindow == false)
        let context = try JSONValue.parse(Array(handoff.contextJSON.utf8), maxDepth: 16, what: "context")
        #expect(context["bot"]?["lastTopic"]?.stringValue == "billing")
        #expect(context["bot"]?["language"]?.stringValue == "en-US")
        #expect(context["bot"]?["variables"]?["va_LastTopic"]?.stringValue == "billing")
        #expect(context["reason"]?.stringValue == "customer asked for an agent")
        #expect(context["priority"]?.numberValue == 2)
        #expect(context["transcript"]?.arrayValue?.first?["from"]?.stringValue == "customer")
        #expect(reply.status == 200)
        #expect(reply.headers["Content-Type"] == "application/json")
        #expect(String(decoding: reply.body, as: UTF8.self) == #"{"conversationId":"conv_1"}"#)
    }

    @Test func forgedOrUnsignedHandoffIsRefused() {
        let forged = botRequest(secret: "whsec_" + Data("someone-else".utf8).base64EncodedString())
        #expect(thrownError { _ = try adapter.handle(forged, now: testNow) }?.code == "signature-invalid")
        for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            let error = thrownError { _ = try adapter.handle(botRequest(omit: header), now: testNow) }
            #expect(error?.code == "signature-missing")
            #expect(error?.field == header)
        }
    }

    @Test func staleHandoffIsLeftToTheStore() throws {
        // Outside the window the adapter still decodes it: only the store knows whether it is a redelivery.
        let (handoff, _) = try decode(botRequest(signedAt: testNow.addingTimeInterval(-301)))
        #expect(handoff.replayGuard?.outsideWindow == true)
        #expect(handoff.replayGuard?.timestampField == "webhook-timestamp")
        let (inside, _) = try decode(botRequest(signedAt: testNow.addingTimeInterval(-299)))
        #expect(inside.replayGuard?.outsideWindow == false)
    }

    @Test func routeMethodTypeAndFieldsAreChecked() {
        #expect(thrownError { _ = try adapter.handle(botRequest(kind: "inbound"), now: testNow) }?.status == 404)
        #expect(thrownError { _ = try adapter.handle(botRequest(method: "GET"), now: testNow) }?.status == 405)
        #expect(
            thrownError { _ = try adapter.handle(botRequest(contentType: "text/plain"), now: testNow) }?.status
                == 415)
        let noPhone = #"{"type": "handoff", "channel": "sms", "customer": {}}"#
        #expect(
            thrownError { _ = try adapter.handle(botRequest(body: noPhone), now: testNow) }?.field == "customer.phone")
        let fax = #"{"type": "handoff", "channel": "fax", "customer": {"phone": "+14155550100"}}"#
        #expect(thrownError { _ = try adapter.handle(botRequest(body: fax), now: testNow) }?.field == "channel")
        let badPriority = #"{"type": "handoff", "channel": "sms", "customer": {"phone": "+1415"}, "priority": 1.5}"#
        #expect(
            thrownError { _ = try adapter.handle(botRequest(body: badPriority), now: testNow) }?.field == "priority")
    }

    @Test func registryServesBotChannels() {
        #expect(ProviderRegistry.isSupported(.bot))
        #expect(thrownError { try ProviderRegistry.validate(botChannel) } == nil)
        var bad = botChannel
        bad.credentials["secret"] = "whsec_not base64!"
        #expect(thrownError { try ProviderRegistry.validate(bad) }?.field == "credentials.secret")
        #expect(ProviderRegistry.adapter(for: botChannel, context: testContext) is BotWebhookAdapter)
        #expect(ProviderRegistry.signer(for: botChannel, context: testContext) is BotFixtureSigner)
        #expect(ProviderRegistry.deliveryReportKind(for: .bot) == nil)
    }
}
