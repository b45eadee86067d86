import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct BandwidthProviderTests {
    @Test func registeredWithEveryPart() throws {
        try ProviderRegistry.validate(bandwidthChannel)
        #expect(ProviderRegistry.isSupported(.bandwidth))
        #expect(ProviderRegistry.adapter(for: bandwidthChannel, context: testContext) is BandwidthWebhookAdapter)
        #expect(ProviderRegistry.signer(for: bandwidthChannel, context: testContext) is BandwidthFixtureSigner)
        #expect(ProviderRegistry.deliveryReportKind(for: .bandwidth) == "events")
    }

    @Test(arguments: ["accountID", "applicationID", "clientID", "clientSecret", "callbackUsername", "callbackPassword"])
    func everyCredentialIsRequired(key: String) {
        var broken = bandwidthChannel
        broken.credentials[key] = ""
        let error = thrownError { try ProviderRegistry.validate(broken) }
        #expect(error?.message == "channel bandwidth-main: credentials.\(key) is missing")
        #expect(error?.field == "credentials.\(key)")
    }

    @Test func settingsAreChecked() {
        var colon = bandwidthChannel
        colon.credentials["callbackUsername"] = "user:name"
        #expect(thrownError { try ProviderRegistry.validate(colon) }?.field == "credentials.callbackUsername")
        var badBase = bandwidthChannel
        badBase.apiBaseURL = "messaging.bandwidth.com"
        #expect(thrownError { try ProviderRegistry.validate(badBase) }?.field == "apiBaseURL")
    }

    @Test func secretsAreMaskedInTheEffectiveConfiguration() throws {
        let json = try ConfigurationLoader.maskedJSON(
            Configuration(channels: [bandwidthChannel]), secretCredentialKeys: ProviderRegistry.secretCredentialKeys)
        #expect(!json.contains("client-s3cret"))
        #expect(!json.contains("callback-pa55"))
        #expect(json.contains("***cret"))
        #expect(json.contains("***pa55"))
        #expect(json.contains("client-abc"))
    }

    @Test func signerAddsTheBasicCredentialsTheAdapterAccepts() throws {
        let headers = [
            (name: "Content-Type", value: "application/json"), (name: "authorization", value: "Basic stale"),
        ]
        let signed = BandwidthFixtureSigner(channel: bandwidthChannel).sign(
            method: "POST", kind: "events", query: "q=1", headers: headers, body: [], now: testNow)
        #expect(signed.query == "q=1")
        #expect(signed.headers.count == 2)
        // base64("bw-callbacks:callback-pa55")
        #expect(signed.headers.value("Authorization") == "Basic YnctY2FsbGJhY2tzOmNhbGxiYWNrLXBhNTU=")
        #expect(
            BandwidthBasicAuth.matches(
                "Basic YnctY2FsbGJhY2tzOmNhbGxiYWNrLXBhNTU=", username: "bw-callbacks", password: "callback-pa55"))
        // A password may contain colons: only the first one separates it from the user.
        #expect(
            BandwidthBasicAuth.matches(
                BandwidthBasicAuth.headerValue(username: "u", password: "a:b"), username: "u", password: "a:b"))
    }
}
