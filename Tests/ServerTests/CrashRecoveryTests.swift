import Curl
import DomainFakes
import Foundation
import TestHTTPServer
import Testing

/// The built `switchboard serve`, killed with SIGKILL at random (seeded) moments under concurrent signed webhooks
/// and replies, and restarted on the same database and port.
///
/// Guarantees checked: every webhook answered 2xx is stored exactly once; every reply answered 202 reaches the
/// provider API; a send is duplicated only when a kill lands while it is in flight; redeliveries of
/// acknowledged webhooks after the restarts store nothing new.
@Suite("Crash recovery", .serialized, .timeLimit(.minutes(5)))
struct CrashRecoveryTests {
    /// `CRASH_TEST_SEED` repeats a run; the default keeps `make test` reproducible.
    static let seed = ProcessInfo.processInfo.environment["CRASH_TEST_SEED"].flatMap(UInt64.init) ?? 20_261_125
    static let kills = 5

    @Test func killedAtRandomMomentsNothingAcknowledgedIsLostOrDoubled() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-crash-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededGenerator(seed: Self.seed)

        let arrivals = ArrivalLog()
        let fake = ChildTraffic.fakeTwilio(delay: .milliseconds(40), arrivals: arrivals)
        try await TestHTTPServer.withTestHTTPServer(handler: fake) { twilio in
            let port = try await ChildGateway.freePort()
            let config = directory.appendingPathComponent("config.json")
            try Data(
                ChildTraffic.configuration(
                    port: port, database: directory.appendingPathComponent("db.sqlite").path,
                    twilioAPI: twilio.baseURL
                ).utf8
            ).write(to: config)
            try await ChildGateway.withStarted(config: config, port: port, directory: directory) {
                gateway, client, traffic, ledger in
                let pauses = (0..<Self.kills).map { _ in Int.random(in: 300...1500, using: &random) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await traffic.webhookLoad(ledger, workers: 8, minimum: 200) }
                    group.addTask { try await traffic.replyLoad(ledger, pause: .milliseconds(30), tag: "a") }
                    group.addTask { try await traffic.replyLoad(ledger, pause: .milliseconds(45), tag: "b") }
                    group.addTask {
                        try await gateway.killAndRestart(
                            after: pauses, settle: .milliseconds(500), ledger: ledger, client: client)
                    }
                    try await group.waitForAll()
                }
                try await check(traffic: traffic, ledger: ledger, twilio: twilio, arrivals: arrivals)
                #expect(await gateway.terminate() == 0, "log: \(gateway.logTail())")
            }
        }
    }

    private func check(
        traffic: ChildTraffic, ledger: TrafficLedger, twilio: TestHTTPServer, arrivals: ArrivalLog
    ) async throws {
        // Replies: every acknowledged one reaches the API. A kill mid-send leaves it `sending` for the outbox's
        // 60 s lease (SQLiteStore.Options.sendingLease), so waiting may take that long.
        let replies = ledger.acknowledgedReplies
        let started = ContinuousClock.now
        let sent = try await ChildTraffic.waitForSends(of: replies, to: twilio, within: .seconds(100))
        let lostReplies = replies.filter { sent[$0] == nil }
        let duplicateSends = sent.values.reduce(0) { $0 + max(0, $1 - 1) }
        // A duplicate is allowed only when a kill landed while the earlier copy was in flight (ArrivalLog).
        let unexplained = arrivals.unexplainedRepeats(kills: ledger.killTimes)
        let duplicated = arrivals.all.values.filter { $0.count > 1 }.count

        // Webhooks: every acknowledged one stored exactly once, nothing stored twice.
        let webhooks = ledger.acknowledgedWebhooks
        let stored = try await traffic.storedInboundTexts()
        let lostWebhooks = webhooks.values.filter { stored[$0] == nil }
        let doubledWebhooks = stored.filter { $0.value > 1 }

        // Redeliveries after the restarts: acknowledged, nothing new stored.
        let sample = webhooks.sorted { $0.key < $1.key }.prefix(30)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (sid, text) in sample {
                let customer = ChildTraffic.customers[(Int(sid.dropFirst(2), radix: 16) ?? 0) % 6]
                group.addTask { try await traffic.deliver(sid: sid, from: customer, text: text) }
            }
            try await group.waitForAll()
        }
        let afterRedelivery = try await traffic.storedInboundTexts()

        print(
            """
            crash test (seed \(Self.seed)): webhooks acknowledged \(webhooks.count), kills \(Self.kills), \
            webhooks lost \(lostWebhooks.count), stored twice \(doubledWebhooks.count); replies acknowledged \
            \(replies.count) (unanswered \(ledger.unansweredReplies), refused \(ledger.refusedReplyStatuses)), \
            replies lost \(lostReplies.count), duplicate sends \(duplicateSends) (of \(duplicated) replies, each \
            after a kill mid-request: \(unexplained.isEmpty)), all sent after \
            \(ContinuousClock.now - started); redelivered \(sample.count), new messages after redelivery \
            \(afterRedelivery.values.reduce(0, +) - stored.values.reduce(0, +))
            """)
        #expect(webhooks.count >= 200)
        #expect(replies.count > 20)
        #expect(lostWebhooks.isEmpty, "acknowledged but not stored: \(lostWebhooks.prefix(10))")
        #expect(doubledWebhooks.isEmpty, "stored more than once: \(doubledWebhooks.prefix(10))")
        #expect(lostReplies.isEmpty, "acknowledged replies never sent: \(lostReplies.prefix(10))")
        #expect(unexplained.isEmpty, "sent twice without a kill mid-request: \(unexplained.prefix(10))")
        #expect(sent.values.allSatisfy { $0 <= 1 + Self.kills })
        #expect(afterRedelivery == stored)
        #expect(ledger.refusedReplyStatuses.allSatisfy { $0 >= 500 })
    }
}
