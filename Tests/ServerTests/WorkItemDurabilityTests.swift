import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// Work items survive a restart (CONTRACT.md §12 "Durable routing state"): an assigned case keeps its agent and
/// the capacity it uses, a waiting one waits (and is routed) again, closing still works.
@Suite("Work items across a restart", .timeLimit(.minutes(2)))
struct WorkItemDurabilityTests {
    @Test func workItemsAndTheCapacityTheyHoldSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("work-items-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        configuration.database = "sqlite:" + directory.appendingPathComponent("gateway.sqlite").path
        let (assigned, waiting, capacity) = try await GatewayHarness.with(configuration, keepDatabase: true) {
            gateway in
            let forced = try await gateway.api(
                "POST", "/v1/work-items", token: "admin-token",
                json: #"{"kind":"case","title":"Refund 1234","agentId":"alice"}"#, expect: 201)
            #expect(forced["status"] == .string("assigned"))
            // alice is signed out: the second one waits.
            let queued = try await gateway.api(
                "POST", "/v1/work-items", token: "admin-token", json: #"{"kind":"case","title":"Callback"}"#,
                expect: 201)
            #expect(queued["status"] == .string("waiting"))
            let alice = try await gateway.api("GET", "/v1/agents/alice", token: "admin-token")
            return (
                try #require(forced["id"]?.stringValue), try #require(queued["id"]?.stringValue),
                alice["usedCapacity"]
            )
        }
        try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
            let item = try await gateway.api("GET", "/v1/work-items/\(assigned)", token: "admin-token")
            #expect(item["status"] == .string("assigned"))
            #expect(item["assignedAgent"] == .string("alice"))
            #expect(item["title"] == .string("Refund 1234"))
            let other = try await gateway.api("GET", "/v1/work-items/\(waiting)", token: "admin-token")
            #expect(other["status"] == .string("waiting"))
            let alice = try await gateway.api("GET", "/v1/agents/alice", token: "admin-token")
            #expect(alice["usedCapacity"] == capacity)
            #expect(alice["activeSessions"] == .number(1))
            // alice signs in: the waiting case is offered to her.
            let events = try await gateway.events(agent: "alice", token: "alice-token")
            let offer = try await events.next("notification").data
            #expect(offer["workItemId"] == .string(waiting))
            let closed = try await gateway.api(
                "POST", "/v1/work-items/\(assigned)/close", token: "alice-token")
            #expect(closed["status"] == .string("closed"))
            await events.close()
        }
        // Closed stays closed.
        try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
            let response = try await gateway.request("GET", "/v1/work-items/\(assigned)", token: "admin-token")
            #expect(response.status == 404)
        }
    }
}
