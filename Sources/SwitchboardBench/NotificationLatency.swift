import Curl
import Foundation
import Logging
import Providers
import Server
import Switchboard
import TestHTTPServer

/// Webhook sent → `notification` read on an agent's SSE stream, for inbound SMS from new customers at a steady
/// rate, against a gateway running in this process on loopback (SQLite file, embedded router).
struct NotificationLatency {
    var messages: Int
    var ratePerSecond: Double
    var agents: Int

    struct Report {
        var latencies: [Double]
        var elapsed: Double
        var failures: Int

        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    func configuration() -> Configuration {
        var notifications = Configuration.NotificationSettings()
        notifications.autoAccept = true
        notifications.maxSessions = 1_000_000
        return Configuration(
            publicURL: "https://gateway.example.com", adminToken: "bench-admin",
            channels: [
                .init(
                    id: "twilio-main", provider: .twilio, numbers: ["+14155550199"], region: "US",
                    credentials: ["accountSID": "AC0123456789abcdef0123456789abcdef", "authToken": "bench-token"],
                    apiBaseURL: "http://127.0.0.1:9")
            ],
            agents: (0..<agents).map {
                .init(id: "agent\($0)", token: "token\($0)", capacity: 1_000_000_000, queues: ["default"])
            },
            notifications: notifications)
    }

    func run() async throws -> Report {
        var configuration = configuration()
        configuration.listen = .init(host: "127.0.0.1", port: 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        configuration.database = "sqlite:\(directory.appendingPathComponent("bench.sqlite").path)"
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let stopper = ServerStopper()
        let options = SwitchboardServer.Options(
            onListening: { portContinuation.yield($0) }, shutdownSignals: [], stopper: stopper)
        let server = Task { [configuration, logger] in
            try await SwitchboardServer.run(configuration: configuration, logger: logger, options: options)
        }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { throw BenchError("the gateway did not start") }
        defer { server.cancel() }

        let received = ReceiptLog()
        var streams: [SSEClient] = []
        for agent in configuration.agents {
            let stream = try await SSEClient.connect(
                port: port, path: "/v1/agents/\(agent.id)/events",
                headers: [("Authorization", "Bearer \(agent.token!)")])
            streams.append(stream)
            Task {
                for await event in stream.events where event.event == "notification" {
                    received.record(data: event.data, at: ContinuousClock.now)
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))

        let channel = configuration.channels[0]
        let signer = ProviderRegistry.signer(for: channel, context: WebhookContext(configuration))
        let sentAt = SendLog()
        let started = ContinuousClock.now
        let interval = Duration.seconds(1 / ratePerSecond)
        let failures = try await CurlClient.withCurlClient { client in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<messages {
                    try await Task.sleep(until: started + interval * index)
                    let phone = "+1415\(String(format: "%07d", 1_000_000 + index))"
                    let body = Array(
                        "MessageSid=SM\(String(format: "%032d", index))&From=\(phone.replacingOccurrences(of: "+", with: "%2B"))&To=%2B14155550199&Body=Hello+\(index)&NumMedia=0"
                            .utf8)
                    let signed = signer.sign(
                        method: "POST", kind: "inbound", query: "",
                        headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: body,
                        now: Date())
                    group.addTask {
                        sentAt.record(phone: phone, at: ContinuousClock.now)
                        let response = try? await client.execute(
                            CurlRequest(
                                method: "POST", url: "http://127.0.0.1:\(port)/webhooks/twilio-main/inbound",
                                headers: signed.headers, body: body))
                        return response?.status == 200
                    }
                }
                var failures = 0
                for try await ok in group where !ok { failures += 1 }
                return failures
            }
        }
        // Wait (bounded) for the last notifications.
        let deadline = ContinuousClock.now + .seconds(10)
        while received.count < messages - failures, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let elapsed = (ContinuousClock.now - started).seconds
        for stream in streams { await stream.close() }
        await stopper.stop()
        _ = await server.result
        return Report(latencies: received.latencies(from: sentAt), elapsed: elapsed, failures: failures)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// When each customer's webhook was sent.
final class SendLog: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [String: ContinuousClock.Instant] = [:]
    func record(phone: String, at instant: ContinuousClock.Instant) { lock.withLock { times[phone] = instant } }
    func time(of phone: String) -> ContinuousClock.Instant? { lock.withLock { times[phone] } }
}

/// When each customer's notification arrived.
final class ReceiptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var receipts: [(phone: String, at: ContinuousClock.Instant)] = []
    var count: Int { lock.withLock { receipts.count } }

    func record(data: String, at instant: ContinuousClock.Instant) {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)),
            let phone = json["customer"]?["phone"]?.stringValue
        else { return }
        lock.withLock { receipts.append((phone, instant)) }
    }

    func latencies(from sent: SendLog) -> [Double] {
        lock.withLock { receipts }.compactMap { receipt in
            sent.time(of: receipt.phone).map { (receipt.at - $0).seconds }
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
