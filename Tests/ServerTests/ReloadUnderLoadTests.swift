import Curl
import Foundation
import Switchboard
import TestHTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `switchboard serve` reloading its configuration file (`SIGHUP` and `POST /v1/admin/reload`, an invalid
/// file among them) while concurrent signed webhooks and replies flow (CONTRACT.md §12).
///
/// Guarantees checked: every webhook answered 2xx is stored exactly once; every reply answered 202 reaches the
/// provider API and none is refused; the stream of an agent no reload changes stays open and live; a removed agent's
/// stream is closed; an invalid file is refused with `400` and the gateway keeps serving.
@Suite("Reload under load", .serialized, .timeLimit(.minutes(5)))
struct ReloadUnderLoadTests {
    /// The crash tests' file (one Twilio channel, alice) with `agents` added after alice, a template title and the
    /// outbox's `maxAttempts`: what differs between the files a reload reads.
    static func configuration(
        _ base: String, agents: [(id: String, token: String)], title: String, maxAttempts: Int
    ) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any],
            let alice = (object["agents"] as? [[String: Any]])?.first
        else { throw TestFailure("the crash tests' configuration is not a JSON object with agents") }
        object["agents"] = [alice] + agents.map { ["id": $0.id, "token": $0.token, "queues": ["default"]] }
        object["notifications"] = ["templates": ["incoming-sms": ["title": title]]]
        object["outbox"] = ["maxAttempts": maxAttempts]
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func webhooksAndRepliesFlowingWhileReloadsHappenLoseNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-reload-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = ChildTraffic.fakeTwilio(delay: .milliseconds(20))
        try await TestHTTPServer.withTestHTTPServer(handler: fake) { twilio in
            let port = try await ChildGateway.freePort()
            let config = directory.appendingPathComponent("config.json")
            let base = ChildTraffic.configuration(
                port: port, database: directory.appendingPathComponent("db.sqlite").path, twilioAPI: twilio.baseURL)
            let files = [
                try Self.configuration(base, agents: [("carol", "carol-1")], title: "v0", maxAttempts: 10),
                try Self.configuration(base, agents: [("dave", "dave-1")], title: "v1", maxAttempts: 12),
                try Self.configuration(
                    base, agents: [("carol", "carol-2"), ("dave", "dave-2")], title: "v2", maxAttempts: 8),
            ]
            try files[0].write(to: config)
            try await ChildGateway.withStarted(config: config, port: port, directory: directory) {
                gateway, client, traffic, ledger in
                let alice = try await Self.stream(port: port, agent: "alice", token: ChildTraffic.agentToken)
                let carol = try await Self.stream(port: port, agent: "carol", token: "carol-1")
                _ = try await alice.next("presence")
                _ = try await carol.next("presence")
                var routeAnswers: [Int?] = []
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await traffic.webhookLoad(ledger, workers: 8, minimum: 200) }
                    group.addTask { try await traffic.replyLoad(ledger, pause: .milliseconds(30), tag: "a") }
                    group.addTask { try await traffic.replyLoad(ledger, pause: .milliseconds(45), tag: "b") }
                    defer { ledger.stop() }
                    // Six reloads, alternately by signal and by the route, then an invalid file by both.
                    for round in 1...6 {
                        try await Task.sleep(for: .milliseconds(250))
                        try files[round % 2 == 1 ? 1 : 2].write(to: config)
                        if round % 2 == 1 {
                            gateway.send(signal: SIGHUP)
                        } else {
                            routeAnswers.append(await traffic.request("POST", "/v1/admin/reload")?.status)
                        }
                    }
                    try await Task.sleep(for: .milliseconds(250))
                    try Data(#"{"agents": [{"id": "x"}, {"id": "x"}]}"#.utf8).write(to: config)
                    gateway.send(signal: SIGHUP)
                    routeAnswers.append(await traffic.request("POST", "/v1/admin/reload")?.status)
                    try await Task.sleep(for: .milliseconds(500))
                    ledger.stop()
                    try await group.waitForAll()
                }
                #expect(routeAnswers == [200, 200, 200, 400])
                try await carol.waitUntilClosed()
                // alice's stream was never dropped and is still live: a presence change reaches it.
                #expect(await alice.isClosed == false)
                _ = await traffic.request("PUT", "/v1/agents/alice/presence", json: #"{"status": "away"}"#)
                var status: JSONValue?
                while status != .string("away") { status = try await alice.next("presence").data["status"] }
                try await check(traffic: traffic, ledger: ledger, twilio: twilio)
                let log = gateway.logTail(1_000_000)
                #expect(log.components(separatedBy: "reload (SIGHUP) applied").count - 1 == 3)
                #expect(log.contains("reload (SIGHUP) refused"))
                await alice.close()
                #expect(await gateway.terminate() == 0, "log: \(gateway.logTail())")
            }
        }
    }

    static func stream(port: Int, agent: String, token: String) async throws -> EventReader {
        EventReader(
            client: try await SSEClient.connect(
                port: port, path: "/v1/agents/\(agent)/events", headers: [("Authorization", "Bearer \(token)")]))
    }

    private func check(traffic: ChildTraffic, ledger: TrafficLedger, twilio: TestHTTPServer) async throws {
        let replies = ledger.acknowledgedReplies
        let sent = try await ChildTraffic.waitForSends(of: replies, to: twilio, within: .seconds(30))
        let lostReplies = replies.filter { sent[$0] == nil }
        let webhooks = ledger.acknowledgedWebhooks
        let stored = try await traffic.storedInboundTexts()
        let lostWebhooks = webhooks.values.filter { stored[$0] == nil }
        print(
            """
            reload under load: webhooks acknowledged \(webhooks.count), lost \(lostWebhooks.count), stored twice \
            \(stored.filter { $0.value > 1 }.count); replies acknowledged \(replies.count), unanswered \
            \(ledger.unansweredReplies), refused \(ledger.refusedReplyStatuses), lost \(lostReplies.count), sent twice \
            \(sent.values.filter { $0 > 1 }.count)
            """)
        #expect(webhooks.count >= 200)
        #expect(replies.count > 20)
        #expect(lostWebhooks.isEmpty, "acknowledged but not stored: \(lostWebhooks.prefix(10))")
        #expect(stored.allSatisfy { $0.value == 1 }, "stored more than once")
        #expect(lostReplies.isEmpty, "acknowledged replies never sent: \(lostReplies.prefix(10))")
        #expect(ledger.unansweredReplies == 0 && ledger.refusedReplyStatuses.isEmpty)
        #expect(sent.values.allSatisfy { $0 == 1 })
    }
}
