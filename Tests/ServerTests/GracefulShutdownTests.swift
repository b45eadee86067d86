import Curl
import Foundation
import TestHTTPServer
import Testing

/// SIGTERM to `switchboard serve` while webhooks arrive and replies are being sent: it exits 0, and nothing it
/// acknowledged is lost or sent twice — a send in flight at SIGTERM finishes instead of being left `sending`
/// (which would hold it back for the outbox's 60 s lease and risk a duplicate).
@Suite("Graceful shutdown", .serialized, .timeLimit(.minutes(3)))
struct GracefulShutdownTests {
    @Test func sigtermFinishesInFlightWorkAndExitsZero() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-term-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // A slow provider API: at SIGTERM a send is almost surely in flight.
        let arrivals = ArrivalLog()
        let fake = ChildTraffic.fakeTwilio(delay: .milliseconds(300), arrivals: arrivals)
        let signalled = TrafficLedger()
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
                let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
                    group.addTask {
                        try await traffic.webhookLoad(ledger, workers: 4, minimum: 60)
                        return nil
                    }
                    group.addTask {
                        try await traffic.replyLoad(ledger, pause: .milliseconds(40), tag: "t")
                        return nil
                    }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(1500))
                        signalled.killed()
                        let status = await gateway.terminate()
                        ledger.stop()
                        // Webhooks not yet acknowledged are redelivered to the next process, as providers do.
                        try await gateway.start(client: client)
                        return status
                    }
                    var status: Int32?
                    for try await result in group { status = result ?? status }
                    return status
                }
                #expect(status == 0, "log: \(gateway.logTail())")

                let replies = ledger.acknowledgedReplies
                let started = ContinuousClock.now
                var sent = ChildTraffic.sentBodies(twilio)
                // Well inside the 60 s lease: a reply stranded in `sending` by the shutdown would fail this.
                while replies.contains(where: { sent[$0] == nil }) && ContinuousClock.now - started < .seconds(20) {
                    try await Task.sleep(for: .milliseconds(100))
                    sent = ChildTraffic.sentBodies(twilio)
                }
                let stored = try await traffic.storedInboundTexts()
                let webhooks = ledger.acknowledgedWebhooks
                // At least one send had reached the API and was waiting for its answer at SIGTERM.
                let sigterm = try #require(signalled.killTimes.first)
                let inFlight = arrivals.all.values.joined().filter {
                    $0 <= sigterm && sigterm - $0 < .milliseconds(300)
                }
                print(
                    "graceful shutdown: webhooks acknowledged \(webhooks.count), replies acknowledged \(replies.count), sent \(sent.count), in flight at SIGTERM \(inFlight.count)"
                )
                #expect(!inFlight.isEmpty, "no send was in flight at SIGTERM")
                #expect(replies.count > 3)
                #expect(replies.filter { sent[$0] == nil }.isEmpty, "replies not sent: log \(gateway.logTail())")
                #expect(
                    sent.values.allSatisfy { $0 == 1 }, "a reply was sent twice: \(sent.filter { $0.value > 1 })")
                #expect(webhooks.values.allSatisfy { stored[$0] == 1 })
                #expect(await gateway.terminate() == 0)
            }
        }
    }
}
