import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct ProviderRegistryTests {
    @Test func validChannelsPass() throws {
        try ProviderRegistry.validate(twilioChannel)
        try ProviderRegistry.validate(acsChannel)
    }

    @Test func missingCredentialsAreNamed() {
        for (channel, key) in [
            (twilioChannel, "authToken"), (twilioChannel, "accountSID"), (acsChannel, "eventGridSecret"),
            (acsChannel, "endpoint"), (acsChannel, "accessKey"),
        ] {
            var broken = channel
            broken.credentials[key] = key == "endpoint" ? "" : nil
            let error = thrownError { try ProviderRegistry.validate(broken) }
            #expect(error?.message == "channel \(channel.id): credentials.\(key) is missing")
            #expect(error?.field == "credentials.\(key)")
        }
    }

    @Test func badURLsAndKeysAreNamed() {
        var badKey = acsChannel
        badKey.credentials["accessKey"] = "not base64!"
        #expect(thrownError { try ProviderRegistry.validate(badKey) }?.field == "credentials.accessKey")
        var badEndpoint = acsChannel
        badEndpoint.credentials["endpoint"] = "contoso.communication.azure.com"
        #expect(thrownError { try ProviderRegistry.validate(badEndpoint) }?.field == "credentials.endpoint")
        var badBase = twilioChannel
        badBase.apiBaseURL = "api.twilio.com"
        #expect(thrownError { try ProviderRegistry.validate(badBase) }?.field == "apiBaseURL")
    }

    @Test func adaptersAndSignersByProvider() throws {
        #expect(ProviderRegistry.adapter(for: twilioChannel, context: testContext) is TwilioWebhookAdapter)
        #expect(ProviderRegistry.adapter(for: acsChannel, context: testContext) is AzureEventGridAdapter)
        #expect(ProviderRegistry.deliveryReportKind(for: .twilio) == "status")
        #expect(ProviderRegistry.deliveryReportKind(for: .acs) == nil)

        // The registry's Twilio signer produces what the registry's Twilio adapter accepts.
        let body = Array("MessageSid=SM9&From=%2B14155550100&To=%2B14155550199&Body=Hi".utf8)
        let headers = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
        let signed = ProviderRegistry.signer(for: twilioChannel, context: testContext).sign(
            method: "POST", kind: "inbound", query: "", headers: headers, body: body, now: testNow)
        let request = WebhookRequest(
            method: "POST", kind: "inbound", query: signed.query, headers: signed.headers, body: body)
        let result = try ProviderRegistry.adapter(for: twilioChannel, context: testContext).handle(
            request, now: testNow)
        #expect(storedEvents(result).count == 1)
    }

    @Test func twilioSignerMatchesTheDocumentedAlgorithm() {
        let body = Array("b=2&a=1".utf8)
        let signed = TwilioFixtureSigner(
            channel: twilioChannel, context: WebhookContext(publicURL: "https://gw.example.com/")
        )
        .sign(
            method: "POST", kind: "status", query: "x=1",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "x-twilio-signature", value: "stale"),
            ],
            body: body, now: testNow)
        let expected = TwilioSignature.compute(
            url: "https://gw.example.com/webhooks/twilio-main/status?x=1",
            parameters: FormParameters([.init(name: "a", value: "1"), .init(name: "b", value: "2")]),
            authToken: "test-auth-token")
        #expect(signed.headers.value("X-Twilio-Signature") == expected)
        #expect(signed.query == "x=1")
    }

    @Test func contextFromConfiguration() {
        let configuration = Configuration(publicURL: "https://gw.example.com/", limits: .init(maxFormParams: 5))
        let context = WebhookContext(configuration)
        #expect(context.publicURL == "https://gw.example.com")
        #expect(context.limits.maxFormParams == 5)
    }
}
