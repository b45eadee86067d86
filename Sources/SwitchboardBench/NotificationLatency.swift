import Curl
import Foundation
import Providers
import Switchboard
import TestHTTPServer

/// Line 2: webhook sent → `notification` read on an agent's SSE stream, for inbound SMS from new customers at a
/// steady rate, against a gateway in a child process on loopback (SQLite file, embedded router, auto-accept).
/// The floor is the same paced loop's HTTP round trip to the gateway's no-op route.
///
/// With `remoteCore`, the gateway is in remote mode instead and the latency is webhook sent → its
/// `message.received` event received by a no-op core in this process (CONTRACT.md §11).
struct NotificationLatency {
    var messages: Int
    var ratePerSecond: Double
    var agents: Int
    var remoteCore = false
    /// A PostgreSQL server's URL: the gateway stores in a fresh database there instead of a SQLite file.
    var postgres: String?

    struct Report {
        var latencies: Samples
        var floor: Samples
        /// How long the webhook took to be answered (after its commit).
        var answers: Samples
        /// Write + `fdatasync` of 4 kB in the same directory while the webhooks were sent (``DiskSyncProbe``).
        var disk: Samples
        /// The share of that time some runnable task waited for a CPU (``CPUPressure``), when the kernel says.
        var cpuPressure: Double?
        var elapsed: Double
        var failures: Int
        var messages: Int

        /// What the machine gave the line, for its notes: the disk and the CPU while the webhooks were sent.
        var conditionsNote: String {
            let pressure = cpuPressure.map { String(format: "%.0f%%", $0 * 100) } ?? "unknown (no /proc/pressure/cpu)"
            return
                "meanwhile the disk (4 kB write + fdatasync in the same directory every 20 ms; commits do not sync under synchronous=normal) took p50 \(milliseconds(disk.percentile(0.5))), p99 \(milliseconds(disk.percentile(0.99))), max \(milliseconds(disk.max)) over \(disk.count); some runnable task (the gateway's and the bench's own included) waited for a CPU \(pressure) of the time (PSI)"
        }
    }

    func configuration() -> Configuration {
        var notifications = Configuration.NotificationSettings()
        notifications.autoAccept = true
        notifications.maxSessions = 1_000_000
        var configuration = IngestBenchmark.configuration(database: "")
        configuration.agents = (0..<agents).map {
            .init(id: "agent\($0)", token: "token\($0)", capacity: 1_000_000_000, queues: ["default"])
        }
        configuration.notifications = notifications
        return configuration
    }

    func run() async throws -> Report {
        let directory = try makeScratchDirectory("latency")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = configuration()
        configuration.database =
            try postgres.map(BenchPostgres.createDatabase(on:))
            ?? "sqlite:\(directory.appendingPathComponent("bench.sqlite").path)"
        let received = ReceiptLog()
        var core: TestHTTPServer?
        if remoteCore {
            let server = try await TestHTTPServer.start { request in
                if request.bodyText.contains(#""type":"message.received""#) {
                    received.record(data: request.bodyText, at: ContinuousClock.now)
                }
                return TestHTTPResponse(status: 204)
            }
            core = server
            configuration.router = .init(
                mode: .remote, url: server.url("/events"),
                secret: "whsec_" + Data(repeating: 7, count: 24).base64EncodedString(), token: "bench-core")
        }
        defer { Task { [core] in try? await core?.shutdown() } }
        var advertisedPort = 0
        if postgres != nil {
            // An instance on PostgreSQL is one of a cluster: it needs its advertised address (a known port).
            advertisedPort = try freeLoopbackPort()
            configuration.cluster = .init(
                advertiseURL: "http://127.0.0.1:\(advertisedPort)", secret: "bench-cluster-secret")
        }
        let gateway = try await GatewayProcess.start(
            configuration, in: directory, name: "latency", port: advertisedPort)
        defer { gateway.stop() }
        let port = gateway.port

        var streams: [SSEClient] = []
        for agent in configuration.agents where !remoteCore {
            let stream = try await SSEClient.connect(
                port: port, path: "/v1/agents/\(agent.id)/events",
                headers: [("Authorization", "Bearer \(agent.token!)")])
            streams.append(stream)
            Task {
                for await event in stream.events where event.event == "notification" {
                    received.record(data: event.data, at: event.receivedAt)
                }
            }
        }
        defer { Task { [streams] in for stream in streams { await stream.close() } } }
        try await Task.sleep(for: .milliseconds(300))

        // Signed before the paced loop, so signing never delays a send.
        let channel = configuration.channels[0]
        let signer = ProviderRegistry.signer(for: channel, context: WebhookContext(configuration))
        let requests = (0..<messages).map { index in
            let phone = "+1415\(String(format: "%07d", 3_000_000 + index))"
            let body = Array(
                "MessageSid=SM\(String(format: "%032d", index))&From=\(phone.replacingOccurrences(of: "+", with: "%2B"))&To=%2B14155550199&Body=Hello+\(index)&NumMedia=0"
                    .utf8)
            let signed = signer.sign(
                method: "POST", kind: "inbound", query: "",
                headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: body,
                now: Date())
            return (
                phone: phone,
                request: CurlRequest(
                    method: "POST", url: "http://127.0.0.1:\(port)\(IngestBenchmark.path)", headers: signed.headers,
                    body: body)
            )
        }

        let sentAt = SendLog()
        let (failures, elapsed, (floor, answers, disk, cpuPressure)) = try await CurlClient.withCurlClient { client in
            // The floor first: the same pacing, to the no-op route, measured as the HTTP round trip.
            let floor = try await paced(requests.count) { index in
                let request = requests[index].request
                let sent = ContinuousClock.now
                let response = try? await client.execute(
                    CurlRequest(
                        method: "POST", url: "http://127.0.0.1:\(port)/bench/noop", headers: request.headers,
                        body: request.body))
                return response?.status == 200 ? (ContinuousClock.now - sent).seconds : nil
            }
            let started = ContinuousClock.now
            let probe = try DiskSyncProbe(directory: directory)
            defer { _ = probe.stop() }
            let pressureBefore = CPUPressure.total()
            let answers = try await paced(requests.count) { index in
                let sent = ContinuousClock.now
                sentAt.record(phone: requests[index].phone, at: sent)
                let response = try? await client.execute(requests[index].request)
                return response?.status == 200 ? (ContinuousClock.now - sent).seconds : nil
            }
            let disk = probe.stop()
            let cpuPressure = CPUPressure.share(
                from: pressureBefore, to: CPUPressure.total(), over: (ContinuousClock.now - started).seconds)
            // Waits (bounded) for the last notifications.
            let failures = messages - answers.count
            let deadline = ContinuousClock.now + .seconds(10)
            while received.count < messages - failures, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            return (failures, (ContinuousClock.now - started).seconds, (floor, answers, disk, cpuPressure))
        }
        return Report(
            latencies: Samples(received.latencies(from: sentAt)), floor: Samples(floor), answers: Samples(answers),
            disk: disk, cpuPressure: cpuPressure, elapsed: elapsed,
            failures: failures, messages: messages)
    }

    /// Starts `count` operations at `ratePerSecond` whatever the previous ones are doing; returns the values of
    /// those that succeeded.
    private func paced(
        _ count: Int, _ operation: @escaping @Sendable (Int) async -> Double?
    ) async throws
        -> [Double]
    {
        let started = ContinuousClock.now
        let interval = Duration.seconds(1 / ratePerSecond)
        return try await withThrowingTaskGroup(of: Double?.self) { group in
            for index in 0..<count {
                try await Task.sleep(until: started + interval * index)
                group.addTask { await operation(index) }
            }
            return try await group.reduce(into: []) { values, value in if let value { values.append(value) } }
        }
    }
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

    /// Notes the customer phone number of the event `data` (a notification or a core event), when it has one.
    func record(data: String, at instant: ContinuousClock.Instant) {
        guard let phone = Self.customerPhone(in: data) else { return }
        lock.withLock { receipts.append((phone, instant)) }
    }

    /// The value of the first `"phone"` member: in a notification and in a core event that is the customer's. Read
    /// without a JSON decoder, which took a quarter of this process's CPU (about 160 µs an event) on the two cores
    /// it shares with the gateway it measures.
    static func customerPhone(in data: String) -> String? {
        guard let key = data.range(of: #""phone":""#),
            let end = data[key.upperBound...].firstIndex(of: "\"")
        else { return nil }
        return String(data[key.upperBound..<end])
    }

    func latencies(from sent: SendLog) -> [Double] {
        lock.withLock { receipts }.compactMap { receipt in
            sent.time(of: receipt.phone).map { (receipt.at - $0).seconds }
        }
    }
}
