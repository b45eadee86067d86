import Curl
import Foundation
import Switchboard
import Synchronization
import TestHTTPServer
import Testing

/// The configuration a test's gateway reloads: what its file would say now.
final class ReloadableConfiguration: Sendable {
    private let value: Mutex<Configuration>

    init(_ configuration: Configuration) { value = Mutex(configuration) }

    func set(_ change: (inout Configuration) -> Void) { value.withLock { change(&$0) } }

    var source: @Sendable () throws(SwitchboardError) -> Configuration { { self.value.withLock { $0 } } }
}

@Suite("Reload: POST /v1/admin/reload applies tokens, channels, agents and templates at once (CONTRACT.md §12)")
struct ConfigurationReloadTests {
    static func configuration(twilioAPI: String) -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(twilioAPI: twilioAPI, acsAPI: "http://127.0.0.1:9")
        configuration.agents = [
            .init(id: "alice", name: "Alice", token: "alice-token"), .init(id: "bob", name: "Bob", token: "bob-token"),
        ]
        return configuration
    }

    static func reload(_ gateway: GatewayHarness, expect status: Int = 200) async throws -> JSONValue {
        try await gateway.api("POST", "/v1/admin/reload", token: "admin-token", expect: status)
    }

    @Test func tokensRotateChannelsComeAndGoAndAnInvalidFileChangesNothing() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { SMSPathEndToEndTests.fakeTwilio($0) }) { twilio in
            let file = ReloadableConfiguration(Self.configuration(twilioAPI: twilio.baseURL))
            try await GatewayHarness.with(Self.configuration(twilioAPI: twilio.baseURL), reloadSource: file.source) {
                gateway in
                #expect(try await gateway.request("POST", "/v1/admin/reload", token: "alice-token").status == 403)
                let unknown = try await gateway.postTwilioSMS(sid: "SM-unknown", channel: "twilio-two")
                #expect(unknown.status == 404)

                file.set { configuration in
                    configuration.agents[0].token = "alice-token-2"
                    var second = configuration.channels[0]
                    second.id = "twilio-two"
                    configuration.channels.append(second)
                    configuration.channels.removeAll { $0.id == "acs-main" }
                }
                let answer = try await Self.reload(gateway)
                #expect(
                    answer["changes"]
                        == .array([
                            .string("channels: added twilio-two"), .string("channels: removed acs-main"),
                            .string("agents: alice token"),
                        ]))
                #expect(answer["restartNeeded"] == .array([]))

                // The old token is refused from now on, the new one accepted; bob's is untouched.
                #expect(try await gateway.request("GET", "/v1/agents/alice", token: "alice-token").status == 401)
                _ = try await gateway.api("GET", "/v1/agents/alice", token: "alice-token-2")
                _ = try await gateway.api("GET", "/v1/agents/bob", token: "bob-token")
                // The removed channel answers as an unknown one does; the added one works at once.
                let removed = try await gateway.request("POST", "/webhooks/acs-main/events", json: "[]")
                let never = try await gateway.request("POST", "/webhooks/never-configured/events", json: "[]")
                #expect(removed.status == 404 && never.status == 404)
                #expect(removed.json?["error"] == never.json?["error"])
                #expect(try await gateway.postTwilioSMS(sid: "SM-two-1", channel: "twilio-two").status == 200)
                let conversations = try await gateway.api(
                    "GET", "/v1/conversations?channelId=twilio-two", token: "admin-token")
                #expect(conversations["conversations"]?.arrayValue?.count == 1)

                // Refused as check-config refuses it: 400 naming the key, and the configuration in force stays.
                file.set { $0.agents.append(.init(id: "bob", token: "bob-token-2")) }
                let refused = try await Self.reload(gateway, expect: 400)
                #expect(refused["field"] == .string("agents[2].id"))
                #expect(refused["message"]?.stringValue?.contains("used twice") == true)
                _ = try await gateway.api("GET", "/v1/agents/alice", token: "alice-token-2")
                #expect(try await gateway.postTwilioSMS(sid: "SM-two-2", channel: "twilio-two").status == 200)
                // Fixed again: only what differs from the configuration in force is listed.
                file.set { $0.agents.removeLast() }
                #expect(try await Self.reload(gateway)["changes"] == .array([]))
            }
        }
    }

    @Test func aRemovedAgentsStreamClosesAndItsConversationGoesToAnotherWithTheNewTemplate() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { SMSPathEndToEndTests.fakeTwilio($0) }) { twilio in
            let file = ReloadableConfiguration(Self.configuration(twilioAPI: twilio.baseURL))
            try await GatewayHarness.with(Self.configuration(twilioAPI: twilio.baseURL), reloadSource: file.source) {
                gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                #expect(try await gateway.postTwilioSMS(sid: "SM-r-1").status == 200)
                let offer = try await alice.next("notification").data
                let conversationID = try #require(offer["conversationId"]?.stringValue)
                try await gateway.accept(offer, token: "alice-token")
                let bob = try await gateway.events(agent: "bob", token: "bob-token")
                _ = try await bob.next("presence")

                file.set { configuration in
                    configuration.agents.removeAll { $0.id == "alice" }
                    configuration.notifications.templates = ["incoming-sms": .init(title: "Reloaded: {customerName}")]
                }
                let answer = try await Self.reload(gateway)
                #expect(
                    answer["changes"]
                        == .array([.string("agents: removed alice"), .string("notifications: templates")]))
                try await alice.waitUntilClosed()
                #expect(try await gateway.request("GET", "/v1/agents/bob", token: "alice-token").status == 401)

                // The conversation alice held goes back to its queue: bob is offered it, with the new template.
                let requeued = try await bob.next("notification").data
                #expect(requeued["conversationId"] == .string(conversationID))
                #expect(requeued["title"] == .string("Reloaded: +14155550100"))
                try await gateway.accept(requeued, token: "bob-token")
                let conversation = try await gateway.api(
                    "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
                #expect(conversation["assignedAgent"] == .string("bob"))
                // bob's stream never dropped: the next conversation reaches it too.
                #expect(try await gateway.postTwilioSMS(sid: "SM-r-2", from: "+14155550123").status == 200)
                #expect(try await bob.next("notification").data["title"] == .string("Reloaded: +14155550123"))
                #expect(await bob.isClosed == false)
                await bob.close()
            }
        }
    }

    @Test func concurrentReloadsRunOneAfterTheOther() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { SMSPathEndToEndTests.fakeTwilio($0) }) { twilio in
            // Enough agents that one reload takes a while: the others arrive while it runs.
            var configuration = Self.configuration(twilioAPI: twilio.baseURL)
            configuration.agents += (1...1000).map { Configuration.Agent(id: "agent-\($0)", token: "token-\($0)") }
            let file = ReloadableConfiguration(configuration)
            try await GatewayHarness.with(configuration, reloadSource: file.source) { gateway in
                file.set { $0.agents.append(.init(id: "carol", token: "carol-token")) }
                let answers = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                    for _ in 0..<8 { group.addTask { try await Self.reload(gateway) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                // Each reload compared with what the one before it put in force: carol was added once.
                let changes = answers.compactMap { $0["changes"]?.arrayValue }
                #expect(changes.count == 8)
                #expect(changes.filter { $0 == [.string("agents: added carol")] }.count == 1)
                #expect(changes.filter(\.isEmpty).count == 7)
                _ = try await gateway.api("GET", "/v1/agents/carol", token: "carol-token")
            }
        }
    }
}
