import Curl
import Foundation
import Providers
import Server
import Switchboard
import Testing

/// Every recorded fixture in `Fixtures/` replayed against a gateway running the example configuration, as
/// `switchboard replay` does: each must PASS (right status, right error, stored exactly what it expects).
@Suite("Fixture replay", .timeLimit(.minutes(2)))
struct FixtureReplayTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func exampleConfiguration() throws -> Configuration {
        let path = repository.appendingPathComponent("switchboard.example.json").path
        return try ConfigurationLoader.load(path: path, environment: [:]).configuration
    }

    static let providers = ["twilio", "acs", "telnyx", "plivo", "bandwidth", "telesign", "vonage", "bot"]

    @Test("every fixture passes", arguments: providers)
    func replay(provider: String) async throws {
        let files = try FixtureFiles.find([Self.repository.appendingPathComponent("Fixtures/\(provider)").path])
        #expect(files.count >= 10)
        try await GatewayHarness.with(try Self.exampleConfiguration()) { gateway in
            let replayer = FixtureReplayer(
                configuration: gateway.configuration, client: gateway.client, target: gateway.baseURL)
            for file in files {
                if case .failure(let failure) = await replayer.replay(file: file) {
                    Issue.record("\(file): \(failure.reason)")
                }
            }
            // Replaying again (fresh `{{unique}}` ids) passes too: nothing depends on an empty database.
            for file in files {
                if case .failure(let failure) = await replayer.replay(file: file) {
                    Issue.record("second run \(file): \(failure.reason)")
                }
            }
        }
    }

    @Test("a fixture that expects the wrong thing fails with the reason")
    func failingFixture() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixture = directory.appendingPathComponent("wrong.json")
        try Data(
            #"""
            {"channel": "twilio-main", "kind": "inbound", "method": "POST",
             "headers": {"Content-Type": "application/x-www-form-urlencoded"},
             "body": "MessageSid=SM{{unique}}&From=%2B14155550177&To=%2B14155550199&Body=Hi", "sign": true,
             "expect": {"status": 200, "message": {"from": "+14155550177", "text": "Bye"}}}
            """#.utf8
        ).write(to: fixture)
        try await GatewayHarness.with(try Self.exampleConfiguration()) { gateway in
            let replayer = FixtureReplayer(
                configuration: gateway.configuration, client: gateway.client, target: gateway.baseURL)
            let result = await replayer.replay(file: fixture.path)
            guard case .failure(let failure) = result else {
                Issue.record("a wrong expectation passed")
                return
            }
            #expect(failure.reason.contains("message.text"))
        }
    }
}
