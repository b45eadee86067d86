import Foundation
import Router
import Switchboard
import Testing

/// A new cluster leader restores each agent's last presence, applied when the agent's streams register again.
@Suite("Restoring presence after a leader change")
struct RestorePresenceTests {
    @Test func anAgentsOwnPresenceComesBackWhenItRegistersAgain() throws {
        var router = RouterHarness()
        let dnd = Presence(status: .dnd, setBy: .agent, reason: nil, since: router.now)
        router.step { $0.restorePresence(dnd, of: "alice", now: $1) }
        router.advance(5)
        let presence = try #require(router.connect("alice").presences(to: "alice").last)
        #expect(presence.status == .dnd && presence.setBy == .agent)
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .dnd)
    }

    @Test func aPresenceFollowingLoadFollowsTheNewLeadersLoad() throws {
        var router = RouterHarness()
        let busy = Presence(status: .busy, setBy: .system, reason: "load", since: router.now)
        router.step { $0.restorePresence(busy, of: "alice", now: $1) }
        let presence = try #require(router.connect("alice").presences(to: "alice").last)
        #expect(presence == Presence(status: .available, setBy: .system, reason: "load", since: router.now))
    }

    @Test func offlineSignedInAndLateRegistrationsRestoreNothing() throws {
        var router = RouterHarness()
        let offline = Presence(status: .offline, setBy: .system, reason: "disconnected", since: router.now)
        router.step { $0.restorePresence(offline, of: "alice", now: $1) }
        #expect(router.connect("alice").presences(to: "alice").last?.status == .available)

        let away = Presence(status: .away, setBy: .agent, reason: nil, since: router.now)
        #expect(router.step { $0.restorePresence(away, of: "alice", now: $1) }.isEmpty)
        #expect(router.machine.snapshot(agentID: "alice")?.presence == .available)

        router.step { $0.restorePresence(away, of: "bob", now: $1) }
        router.advance(Configuration.NotificationSettings().reconnectWindowSeconds + 1)
        #expect(router.connect("bob").presences(to: "bob").last?.status == .available)
    }
}
