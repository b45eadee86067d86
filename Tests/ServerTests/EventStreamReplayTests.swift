import Foundation
import Switchboard
import Testing

/// The agent event stream across reconnects (CONTRACT.md §6): `Last-Event-ID` replays what was missed, pending
/// notifications are re-sent with the same `data.id`, and ids keep increasing.
@Suite("Event stream replay", .timeLimit(.minutes(2)))
struct EventStreamReplayTests {
    static func configuration() -> Configuration {
        SMSPathEndToEndTests.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
    }

    @Test func lastEventIDReplaysWhatWasMissedAndResendsPendingNotifications() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let first = try await gateway.events(agent: "alice", token: "alice-token")
            let presence = try await first.next("presence").event
            let presenceID = try #require(presence.id.flatMap(Int64.init))
            #expect(try await gateway.postTwilioSMS(sid: "SM1", from: "+14155550100").status == 200)
            let (notification, data) = try await first.next("notification")
            let notificationID = try #require(notification.id.flatMap(Int64.init))
            #expect(notificationID > presenceID)
            await first.close()

            // Reconnect (within the grace period) having seen only the presence event: the notification is replayed.
            let second = try await gateway.events(agent: "alice", token: "alice-token", lastEventID: String(presenceID))
            let (replayed, replayedData) = try await second.next("notification")
            #expect(replayed.id == notification.id)
            #expect(replayedData["id"] == data["id"])
            let extra = try await second.drain()
            #expect(!extra.contains { $0.event == "notification" && $0.id == notification.id })
            await second.close()

            // Reconnect with an unknown id: presence first, then the still-pending notification, same data.id.
            let third = try await gateway.events(agent: "alice", token: "alice-token", lastEventID: "999999")
            let (restart, _) = try await third.next("presence")
            #expect(try #require(restart.id.flatMap(Int64.init)) > notificationID)
            let (resent, resentData) = try await third.next("notification")
            #expect(resentData["id"] == data["id"])
            #expect(try #require(resent.id.flatMap(Int64.init)) > notificationID)
            let seen = await third.seen
            #expect(seen.first?.event == "presence")
            await third.close()
        }
    }

    @Test func eventIDsSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = Self.configuration()
        configuration.database = "sqlite:\(directory.appendingPathComponent("kept.sqlite").path)"
        let before = try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
            let stream = try await gateway.events(agent: "alice", token: "alice-token")
            let id = try #require(try await stream.next("presence").event.id.flatMap(Int64.init))
            await stream.close()
            return id
        }
        try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
            let stream = try await gateway.events(agent: "alice", token: "alice-token")
            let id = try #require(try await stream.next("presence").event.id.flatMap(Int64.init))
            #expect(id > before)
            await stream.close()
        }
    }
}
