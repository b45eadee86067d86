import Curl
import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// Two `switchboard serve` child processes on one PostgreSQL database under concurrent webhooks and replies; the
/// leader is killed with SIGKILL mid-load. Webhooks go to either instance and are redelivered to the other when
/// one does not answer, as a provider behind a load balancer would.
///
/// Guarantees checked: every webhook answered 2xx is stored exactly once; every reply answered 202 reaches the
/// provider API, twice only when the kill landed while it was in flight; the survivor takes over.
@Suite("Cluster: an instance killed mid-load", .serialized, .timeLimit(.minutes(5)))
struct ClusterCrashTests {
    static let secret = "cluster-crash-test-secret"

    static func configuration(port: Int, database: String, twilioAPI: String) -> String {
        """
        {"listen": {"host": "127.0.0.1", "port": \(port)}, "publicURL": "\(ChildTraffic.publicURL)",
         "database": "\(database)", "adminToken": "\(ChildTraffic.adminToken)", "cluster": {"secret": "\(secret)"},
         "channels": [{"id": "twilio-main", "provider": "twilio", "numbers": ["\(ChildTraffic.gatewayNumber)"],
           "region": "US", "credentials": {"accountSID": "\(ChildTraffic.accountSID)",
           "authToken": "\(ChildTraffic.authToken)"}, "apiBaseURL": "\(twilioAPI)"}],
         "agents": [{"id": "alice", "name": "Alice", "token": "\(ChildTraffic.agentToken)", "queues": ["default"]}]}
        """
    }

    @Test func theLeaderKilledMidLoadLosesNothingAcknowledgedAndDoublesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-cluster-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let arrivals = ArrivalLog()
        let fake = ChildTraffic.fakeTwilio(delay: .milliseconds(40), arrivals: arrivals)
        try await TestHTTPServer.withTestHTTPServer(handler: fake) { twilio in
            try await PostgresTestServer.withDatabase { database in
                var gateways: [ChildGateway] = []
                for index in 0..<2 {
                    let port = try await ChildGateway.freePort()
                    let config = directory.appendingPathComponent("config-\(index).json")
                    try Data(
                        Self.configuration(port: port, database: database, twilioAPI: twilio.baseURL).utf8
                    ).write(to: config)
                    gateways.append(
                        ChildGateway(
                            configPath: config.path, port: port,
                            logURL: directory.appendingPathComponent("serve-\(index).log")))
                }
                try await CurlClient.withCurlClient { client in
                    do {
                        try await run(gateways, client: client, twilio: twilio, arrivals: arrivals)
                    } catch {
                        for gateway in gateways { await gateway.stopIfRunning() }
                        throw error
                    }
                }
            }
        }
    }

    private func run(
        _ gateways: [ChildGateway], client: CurlClient, twilio: TestHTTPServer, arrivals: ArrivalLog
    ) async throws {
        for gateway in gateways { try await gateway.start(client: client) }
        let traffic = gateways.map { ChildTraffic(client: client, baseURL: $0.baseURL) }
        let balanced = BalancedTraffic(instances: traffic)
        let leader = try await balanced.leader(within: .seconds(20))
        let survivor = 1 - leader
        let ledger = TrafficLedger()
        var killedAt = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await balanced.webhookLoad(ledger, workers: 6, minimum: 150) }
            group.addTask { try await balanced.replyLoad(ledger, pause: .milliseconds(30), tag: "a") }
            group.addTask { try await balanced.replyLoad(ledger, pause: .milliseconds(45), tag: "b") }
            group.addTask {
                defer { ledger.stop() }
                // Load both ways before the kill, and again after it (through the survivor), however slow the
                // machine is.
                try await Self.waitUntil("load before the kill") {
                    ledger.acknowledgedWebhooks.count >= 40 && ledger.acknowledgedReplies.count >= 8
                }
                ledger.killed()
                await gateways[leader].kill()
                let (webhooks, replies) = (ledger.acknowledgedWebhooks.count, ledger.acknowledgedReplies.count)
                try await Self.waitUntil("load after the kill") {
                    ledger.acknowledgedWebhooks.count >= webhooks + 40
                        && ledger.acknowledgedReplies.count >= replies + 8
                }
            }
            try await group.waitForAll()
        }
        killedAt = ledger.killTimes.first ?? killedAt
        #expect(try await balanced.leader(within: .seconds(10)) == survivor)

        // Replies: every acknowledged one reaches the API. A kill mid-send leaves it `sending` for the store's
        // 60 s lease, so waiting may take that long.
        let replies = ledger.acknowledgedReplies
        let started = ContinuousClock.now
        let sent = try await ChildTraffic.waitForSends(of: replies, to: twilio, within: .seconds(100))
        let lostReplies = replies.filter { sent[$0] == nil }
        // A second copy only when the kill landed while the first was in flight (ArrivalLog).
        let unexplained = arrivals.unexplainedRepeats(kills: [killedAt])

        // Webhooks: every acknowledged one stored exactly once.
        let webhooks = ledger.acknowledgedWebhooks
        let stored = try await traffic[survivor].storedInboundTexts()
        let lostWebhooks = webhooks.values.filter { stored[$0] == nil }
        let doubledWebhooks = stored.filter { $0.value > 1 }
        print(
            """
            cluster crash test: webhooks acknowledged \(webhooks.count), lost \(lostWebhooks.count), stored twice \
            \(doubledWebhooks.count); replies acknowledged \(replies.count) (unanswered \(ledger.unansweredReplies), \
            refused \(ledger.refusedReplyStatuses.count)), lost \(lostReplies.count), sent twice \
            \(sent.values.filter { $0 > 1 }.count), all sent after \(ContinuousClock.now - started)
            """)
        #expect(webhooks.count >= 150)
        #expect(replies.count >= 16)
        #expect(lostWebhooks.isEmpty, "acknowledged but not stored: \(lostWebhooks.prefix(10))")
        #expect(doubledWebhooks.isEmpty, "stored more than once: \(doubledWebhooks.prefix(10))")
        #expect(lostReplies.isEmpty, "acknowledged replies never sent: \(lostReplies.prefix(10))")
        #expect(unexplained.isEmpty, "sent twice without the kill mid-request: \(unexplained.prefix(10))")
        #expect(ledger.refusedReplyStatuses.allSatisfy { $0 >= 500 })
        #expect(await gateways[survivor].terminate() == 0, "log: \(gateways[survivor].logTail())")
    }
}

extension ClusterCrashTests {
    /// Polls `condition` until it holds; fails after `timeout`.
    static func waitUntil(
        _ what: String, within timeout: Duration = .seconds(60), _ condition: @Sendable () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("\(what): not within \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// A provider (or load balancer) in front of several instances: each request goes to one, and to the next when
/// that one does not answer.
struct BalancedTraffic: Sendable {
    let instances: [ChildTraffic]

    /// The index of the instance reporting `switchboard_cluster_leader 1`.
    func leader(within timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for (index, instance) in instances.enumerated() {
                let metrics = await instance.request("GET", "/metrics")
                if metrics?.text.split(separator: "\n").contains("switchboard_cluster_leader 1") == true {
                    return index
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no cluster leader within \(timeout)")
    }

    /// Redelivers until an instance answers 2xx, starting with `first` and moving on after each failure.
    func deliver(sid: String, from: String, text: String, first: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        var target = first
        while ContinuousClock.now < deadline {
            let status = await instances[target % instances.count].postInbound(sid: sid, from: from, text: text)
            if let status, (200..<300).contains(status) { return }
            if let status, (400..<500).contains(status) { throw TestFailure("webhook \(sid) was refused: \(status)") }
            target += 1
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("webhook \(sid) was not acknowledged within 90 s")
    }

    func webhookLoad(_ ledger: TrafficLedger, workers: Int, minimum: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while true {
                        let index = ledger.takeIndex()
                        if !ledger.isRunning && index >= minimum { return }
                        let sid = "SM" + String(format: "%032x", index)
                        let text = "inbound \(index)"
                        let customer = ChildTraffic.customers[index % ChildTraffic.customers.count]
                        try await deliver(sid: sid, from: customer, text: text, first: index)
                        ledger.acknowledged(sid: sid, text: text)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Queues replies as the admin through the instances in turn, one every `pause`, until the ledger stops.
    func replyLoad(_ ledger: TrafficLedger, pause: Duration, tag: String) async throws {
        var conversations: [String: String] = [:]
        var count = 0
        while ledger.isRunning {
            let instance = instances[count % instances.count]
            let customer = ChildTraffic.customers[count % ChildTraffic.customers.count]
            if conversations[customer] == nil {
                conversations[customer] = await instance.conversationID(customer: customer)
            }
            if let id = conversations[customer] {
                let text = "reply \(tag)-\(count)"
                ledger.replyAnswered(text, status: await instance.reply(conversationID: id, text: text))
            }
            count += 1
            try await Task.sleep(for: pause)
        }
    }
}
