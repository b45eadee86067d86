import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// Every open event stream gets a keep-alive comment each heartbeat interval (CONTRACT.md §6), from the one shared
/// ticker, and a closed stream stops getting them.
@Suite("Event stream heartbeats", .timeLimit(.minutes(1)))
struct HeartbeatTests {
    @Test func everyOpenStreamGetsItsHeartbeats() async throws {
        let configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        try await GatewayHarness.with(configuration, heartbeat: .milliseconds(100)) { gateway in
            let first = try await gateway.events(agent: "alice", token: "alice-token")
            let second = try await gateway.events(agent: "alice", token: "alice-token")
            let deadline = ContinuousClock.now + .seconds(30)
            while (first.client.comments < 3 || second.client.comments < 3), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(first.client.comments >= 3)
            #expect(second.client.comments >= 3)
            await first.close()
            try await Task.sleep(for: .milliseconds(300))
            let before = second.client.comments
            try await Task.sleep(for: .milliseconds(350))
            #expect(second.client.comments > before, "the other stream's heartbeats stopped with the first")
            await second.close()
        }
    }
}
