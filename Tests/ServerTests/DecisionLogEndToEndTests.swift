import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// `GET /v1/decisions` (CONTRACT.md §12): the router's decisions about a conversation and an agent, with reasons
/// in words, from the stored log, still there after a restart.
@Suite("Decision log end to end", .timeLimit(.minutes(2)))
struct DecisionLogEndToEndTests {
    @Test func anOffersDecisionsAreReadableAndSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decisions-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        configuration.database = "sqlite:" + directory.appendingPathComponent("gateway.sqlite").path
        let conversationID = try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
            let alice = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await alice.next("presence")
            #expect(try await gateway.postTwilioSMS(sid: "SM-decision-1").status == 200)
            let notification = try await alice.next("notification").data
            try await gateway.accept(notification, token: "alice-token")
            let id = try #require(notification["conversationId"]?.stringValue)
            let decisions = try await gateway.api("GET", "/v1/decisions?conversationId=\(id)", token: "admin-token")
            let kinds = decisions["decisions"]?.arrayValue?.compactMap { $0["kind"]?.stringValue }
            #expect(kinds == ["assigned", "accepted", "offered"], "\(decisions)")
            let offered = try #require(decisions["decisions"]?.arrayValue?.last)
            #expect(offered["agentId"] == .string("alice"))
            #expect(offered["notificationId"] == notification["id"])
            #expect(offered["reason"]?.stringValue?.isEmpty == false)
            // Agents may not read the log; limits are checked.
            #expect(try await gateway.request("GET", "/v1/decisions", token: "alice-token").status == 403)
            #expect(try await gateway.request("GET", "/v1/decisions?limit=0", token: "admin-token").status == 400)
            await alice.close()
            return id
        }
        try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
            let after = try await gateway.api(
                "GET", "/v1/decisions?conversationId=\(conversationID)", token: "admin-token")
            // The restart restored the assignment (one more decision); the first run's are all there.
            let kinds = after["decisions"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
            #expect(kinds.suffix(3) == ["assigned", "accepted", "offered"], "\(kinds)")
            let byAgent = try await gateway.api("GET", "/v1/decisions?agentId=alice&limit=50", token: "admin-token")
            #expect(byAgent["decisions"]?.arrayValue?.contains { $0["kind"] == .string("signed-in") } == true)
        }
    }
}
