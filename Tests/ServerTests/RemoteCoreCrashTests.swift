import Curl
import DomainFakes
import Foundation
import TestHTTPServer
import Testing

/// The built `switchboard serve` in remote mode, killed with SIGKILL at random (seeded) moments under concurrent
/// signed webhooks and restarted on the same database (CONTRACT.md §11): every webhook it answered 2xx reaches the
/// core as a `message.received` event, and each conversation's `notification.request` follows its first message.
@Suite("Remote core: SIGKILL", .serialized, .timeLimit(.minutes(5)))
struct RemoteCoreCrashTests {
    static let seed = ProcessInfo.processInfo.environment["CRASH_TEST_SEED"].flatMap(UInt64.init) ?? 20_261_206

    @Test func killedAtRandomMomentsNoAcknowledgedMessageIsMissingFromTheCoresStream() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-core-kill-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededGenerator(seed: Self.seed)
        try await FakeCore.with(policy: { _ in 204 }) { core, server in
            let port = try await ChildGateway.freePort()
            var text = ChildTraffic.configuration(
                port: port, database: directory.appendingPathComponent("db.sqlite").path,
                twilioAPI: "http://127.0.0.1:9")
            let router = """
                "router": {"mode": "remote", "url": "\(server.url("/events"))", "secret": "\(FakeCore.secret)",
                  "token": "\(FakeCore.token)"},
                """
            text.insert(contentsOf: router, at: text.index(after: text.startIndex))
            let config = directory.appendingPathComponent("config.json")
            try Data(text.utf8).write(to: config)
            try await ChildGateway.withStarted(config: config, port: port, directory: directory) {
                gateway, client, traffic, ledger in
                let pauses = (0..<4).map { _ in Int.random(in: 200...900, using: &random) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await traffic.webhookLoad(ledger, workers: 8, minimum: 150) }
                    group.addTask {
                        try await gateway.killAndRestart(
                            after: pauses, settle: .milliseconds(300), ledger: ledger, client: client)
                    }
                    try await group.waitForAll()
                }
                let acknowledged = Set(ledger.acknowledgedWebhooks.values)
                // A kill can leave an event claimed: its conversation then waits for the claim's 60 s lease.
                let events = try await core.waitUntil(within: .seconds(100), "every acknowledged message") {
                    events in
                    let texts = Set(
                        events.filter { $0.type == "message.received" }.compactMap {
                            $0.json["message"]?["text"]?.stringValue
                        })
                    return acknowledged.isSubset(of: texts)
                }
                for customer in ChildTraffic.customers {
                    var seen = Set<String>()
                    let types = events.filter {
                        $0.json["customer"]?["phone"]?.stringValue == customer && seen.insert($0.id).inserted
                    }.map(\.type)
                    #expect(types.prefix(2) == ["message.received", "notification.request"], "\(customer)")
                    #expect(types.filter { $0 == "notification.request" }.count == 1, "\(customer): \(types)")
                }
                print(
                    "core SIGKILL: \(acknowledged.count) acknowledged webhooks, \(events.count) deliveries, \(ledger.killTimes.count) kills"
                )
                #expect(core.problems.isEmpty, "protocol problems: \(core.problems)")
                #expect(await gateway.terminate() == 0, "log: \(gateway.logTail())")
            }
        }
    }
}
