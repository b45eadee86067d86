import Curl
import Foundation
import Providers
import Server
import Switchboard
import Testing

/// `Fixtures/telnyx`, `Fixtures/plivo` and `Fixtures/telesign` replayed as `switchboard replay` does, against a
/// gateway whose channels carry the demo credentials proposed for `switchboard.example.json`.
@Suite("Provider fixture replay (Telnyx, Plivo, TeleSign)", .timeLimit(.minutes(2)))
struct ProviderFixtureReplayTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The demo channels, as in the example configuration. The Telnyx key pair is a demo key made for these
    /// fixtures (`signingPrivateKey` is test/demo only); the stale-timestamp fixture is signed with it.
    static let channels: [Configuration.Channel] = [
        .init(
            id: "telnyx-main", provider: .telnyx, numbers: ["+13125550199"], region: "US",
            credentials: [
                "apiKey": "demo-telnyx-api-key", "publicKey": "EHTuYhOz/q6uUR7Dp0nzzob6pf0WG0uw0uME6DkinAY=",
                "messagingProfileID": "demo-messaging-profile",
                "signingPrivateKey": "NAqJ7DLD8KjALgtStouWMYvY5NqN0nDhBevE/pN41no=",
            ]),
        .init(
            id: "plivo-main", provider: .plivo, numbers: ["+16505550199"], region: "US",
            credentials: ["authID": "MADEMODEMODEMODEMO00", "authToken": "demo-plivo-auth-token"]),
        .init(
            id: "telesign-main", provider: .telesign, numbers: ["+12065550199"], region: "US",
            credentials: [
                "customerID": "00000000-DEMO-0000-0000-000000000000",
                "apiKey": "ZGVtby10ZWxlc2lnbi1hcGkta2V5LW5vdC1hLXNlY3JldA==",
            ]),
    ]

    static func configuration() -> Configuration {
        Configuration(
            publicURL: "http://127.0.0.1:8080", adminToken: "demo-admin-token-change-me", channels: channels,
            agents: [.init(id: "alice", name: "Alice", token: "demo-alice-token", queues: ["default"])])
    }

    @Test("every fixture passes, twice", arguments: ["telnyx", "plivo", "telesign"])
    func replay(provider: String) async throws {
        let files = try FixtureFiles.find([Self.repository.appendingPathComponent("Fixtures/\(provider)").path])
        #expect(files.count >= 10)
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let replayer = FixtureReplayer(
                configuration: gateway.configuration, client: gateway.client, target: gateway.baseURL)
            for round in 1...2 {
                for file in files {
                    if case .failure(let failure) = await replayer.replay(file: file) {
                        Issue.record("round \(round) \(file): \(failure.reason)")
                    }
                }
            }
        }
    }

    @Test("the demo channels are a valid configuration")
    func demoChannelsValidate() throws {
        for channel in Self.channels { try ProviderRegistry.validate(channel) }
    }
}
