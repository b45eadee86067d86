import Foundation
import GatewayAssembly
import Server
import Switchboard
import Testing

/// `router` in remote mode (CONTRACT.md §2, §11): url, secret and token required, each refused by name.
@Suite("Remote core configuration")
struct RemoteCoreConfigurationTests {
    static func refusal(_ router: Configuration.RouterSettings) -> SwitchboardError? {
        do {
            try SwitchboardServer.validate(Configuration(adminToken: "admin", router: router))
            return nil
        } catch {
            return error
        }
    }

    @Test func everyMissingOrMalformedKeyIsRefusedByName() {
        let secret = "whsec_" + Data("sixteen byte key".utf8).base64EncodedString()
        let cases: [(Configuration.RouterSettings, String, String)] = [
            (.init(mode: .remote, secret: secret, token: "t"), "router.url", "required"),
            (.init(mode: .remote, url: "ftp://core.example.com", secret: secret, token: "t"), "router.url", "http(s)"),
            (.init(mode: .remote, url: "core.example.com/events", secret: secret, token: "t"), "router.url", "http(s)"),
            (.init(mode: .remote, url: "https://core.example.com", token: "t"), "router.secret", "required"),
            (
                .init(mode: .remote, url: "https://core.example.com", secret: "plain", token: "t"), "router.secret",
                "whsec_"
            ),
            (.init(mode: .remote, url: "https://core.example.com", secret: secret), "router.token", "required"),
            (
                .init(mode: .remote, url: "https://core.example.com", secret: secret, token: "admin"), "router.token",
                "another token"
            ),
        ]
        for (router, field, words) in cases {
            let error = Self.refusal(router)
            #expect(error?.field == field, "\(router): \(error?.description ?? "accepted")")
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "accepted")")
        }
        #expect(Self.refusal(.init(mode: .remote, url: "http://127.0.0.1:9/core", secret: secret, token: "t")) == nil)
        // Embedded mode needs none of them.
        #expect(Self.refusal(.init()) == nil)
    }

    @Test func theTokenIsMaskedLikeTheSecret() throws {
        var configuration = Configuration()
        configuration.router = .init(
            mode: .remote, url: "https://core", secret: "whsec_c2VjcmV0c2VjcmV0", token: "core-token-1234")
        let masked = try ConfigurationLoader.maskedJSON(configuration, secretCredentialKeys: [])
        #expect(!masked.contains("core-token-1234") && masked.contains("***1234"))
        #expect(!masked.contains("whsec_c2VjcmV0c2VjcmV0"))
    }
}
