import Foundation
import Switchboard
import Testing

@Suite("Reload: what changed and what needs a restart (CONTRACT.md §12)")
struct ConfigurationChangesTests {
    static let base = Configuration(
        adminToken: "admin-1",
        channels: [
            .init(id: "twilio-us", provider: "twilio", credentials: ["accountSid": "AC1", "authToken": "t1"]),
            .init(id: "vonage-eu", provider: "vonage"),
        ],
        agents: [.init(id: "alice", token: "a1"), .init(id: "bob", token: "b1", capacity: 100)])

    @Test func nothingChangedSaysSo() {
        #expect(ConfigurationChanges(from: Self.base, to: Self.base) == ConfigurationChanges())
    }

    @Test func agentsChannelsAndSettingsAreListedInWords() {
        var new = Self.base
        new.adminToken = "admin-2"
        new.agents = [.init(id: "bob", token: "b2", capacity: 50, queues: ["default", "sales"]), .init(id: "carol")]
        new.channels[0].credentials["authToken"] = "t2"
        new.channels.remove(at: 1)
        new.channels.append(.init(id: "plivo-us", provider: "plivo"))
        new.notifications.templates = ["incoming-sms": .init(title: "New {customerName}")]
        new.notifications.alertTimeoutSeconds = 45
        new.queues = [.init(id: "sales", priority: 5)]
        new.outbox.maxAttempts = 3
        new.retention.messagesDays = 30
        let changes = ConfigurationChanges(from: Self.base, to: new)
        #expect(
            changes.changes == [
                "adminToken: rotated",
                "channels: twilio-us credentials",
                "channels: added plivo-us",
                "channels: removed vonage-eu",
                "agents: bob token, capacity 100 → 50, queues",
                "agents: added carol",
                "agents: removed alice",
                "queues: added sales",
                "notifications: templates",
                "notifications: settings",
                "outbox",
                "retention",
            ])
        #expect(changes.restartNeeded.isEmpty)
    }

    @Test func keysReadAtStartAreListedAsNeedingARestart() {
        var new = Self.base
        new.listen.port = 9090
        new.database = "sqlite:./other.sqlite"
        new.cluster.secret = "s"
        new.router.mode = .remote
        new.limits.maxBodyBytes = 1024
        let changes = ConfigurationChanges(from: Self.base, to: new)
        #expect(changes.restartNeeded == ["listen", "database", "cluster", "router.mode", "limits"])
        // A listen change moves the default publicURL only when it was not set: not here (it is derived once).
        #expect(!changes.changes.contains { $0.hasPrefix("listen") })
    }
}
