import Curl
import Foundation
import Providers
import Switchboard

/// Line 3: replies per second through `CurlClient` to a local fake Twilio Messages API (a NIO server in a child
/// process), against that fake's own ceiling measured with `wrk` with the same connection count.
struct OutboundBenchmark {
    var seconds = 5
    var concurrency = 64

    struct Report {
        /// Raw `CurlClient.execute` POSTs answered 201 per second.
        var curlPerSecond: Double
        /// Replies sent through the Twilio adapter (`TwilioMessagesAPI.send` over `CurlClient`) per second.
        var sendPerSecond: Double
        var ceilingPerSecond: Double
        /// The client's CPU time (this process: the calling tasks and curl's thread) per request, in seconds: what
        /// the client itself costs, beside the ratio to `wrk` that the fake provider's share of the cores also sets.
        var curlCPUPerRequest: Double
        var sendCPUPerRequest: Double
        /// Connections the fake saw opened during the CurlClient runs, and requests served.
        var curlConnections: Int
        var curlRequests: Int
        var failures: Int
    }

    func run() async throws -> Report {
        let directory = try makeScratchDirectory("outbound")
        defer { try? FileManager.default.removeItem(at: directory) }
        let portPath = directory.appendingPathComponent("fake.port").path
        let fake = try ChildProcess(
            executable: ChildProcess.benchExecutable, arguments: ["fake-provider", portPath],
            logPath: directory.appendingPathComponent("fake.log").path)
        defer { fake.stop() }
        let port = try await fake.waitForPort(file: portPath, what: "the fake provider")
        let base = "http://127.0.0.1:\(port)"
        let body = "To=%2B14155550100&From=%2B14155550199&Body=Thanks%2C+an+agent+will+answer+shortly"

        // The ceiling: wrk with as many connections as CurlClient may open.
        let requests = directory.appendingPathComponent("send.txt").path
        try "\t\(body)\n".write(toFile: requests, atomically: false, encoding: .utf8)
        let path = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        let ceiling = try await Wrk(threads: 2, connections: concurrency, seconds: seconds).run(
            port: port, path: path, requestsFile: requests,
            logPath: directory.appendingPathComponent("wrk.log").path)

        let before = try await Self.stats(base)
        let (curl, send, failures) = try await CurlClient.withCurlClient(
            configuration: .init(maxConnectionsPerHost: concurrency)
        ) { client in
            let request = CurlRequest(
                method: "POST", url: base + path,
                headers: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                body: Array(body.utf8))
            let curl = try await closedLoop { _ in (try? await client.execute(request))?.status == 201 }
            var configured = IngestBenchmark.configuration(database: "").channels[0]
            configured.apiBaseURL = base
            let channel = configured
            guard let api = ProviderRegistry.capabilities(for: channel, client: client).messages else {
                throw SwitchboardError.invalidRequest("channel \(channel.id) sends no messages", field: "provider")
            }
            let send = try await closedLoop { index in
                let outcome = await api.send(
                    OutboundMessage(
                        messageID: "msg-\(index)", channelID: channel.id, from: "+14155550199", to: "+14155550100",
                        text: "Thanks, an agent will answer shortly", idempotencyKey: "msg-\(index)",
                        firstQueuedAt: Date(), statusCallbackURL: nil))
                if case .accepted = outcome { return true }
                return false
            }
            return (curl, send, curl.failures + send.failures)
        }
        let after = try await Self.stats(base)
        return Report(
            curlPerSecond: curl.perSecond, sendPerSecond: send.perSecond, ceilingPerSecond: ceiling.goodPerSecond,
            curlCPUPerRequest: curl.cpuPerRequest, sendCPUPerRequest: send.cpuPerRequest,
            curlConnections: after.connections - before.connections - 1,
            curlRequests: after.requests - before.requests, failures: failures)
    }

    /// `concurrency` tasks each sending one request after the other for `seconds`.
    private func closedLoop(
        _ operation: @escaping @Sendable (Int) async -> Bool
    ) async throws
        -> (perSecond: Double, failures: Int, cpuPerRequest: Double)
    {
        let cpuBefore = ProcessCPU.seconds(of: getpid()) ?? .nan
        let started = ContinuousClock.now
        let deadline = started + .seconds(seconds)
        let counts = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var ok = 0
                    var failed = 0
                    var index = worker
                    while ContinuousClock.now < deadline {
                        if await operation(index) { ok += 1 } else { failed += 1 }
                        index += concurrency
                    }
                    return (ok, failed)
                }
            }
            return try await group.reduce(into: (0, 0)) {
                $0.0 += $1.0; $0.1 += $1.1
            }
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let cpu = (ProcessCPU.seconds(of: getpid()) ?? .nan) - cpuBefore
        return (Double(counts.0) / elapsed, counts.1, cpu / Double(max(1, counts.0 + counts.1)))
    }

    /// The fake's counters (one connection is the stats request's own).
    static func stats(_ base: String) async throws -> (connections: Int, requests: Int) {
        let response = try await CurlClient.withCurlClient { client in
            try await client.execute(CurlRequest(method: "GET", url: base + "/stats"))
        }
        var fields: [String: Int] = [:]
        for pair in String(decoding: response.body, as: UTF8.self).split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { fields[String(parts[0])] = Int(parts[1]) }
        }
        return (fields["connections"] ?? 0, fields["requests"] ?? 0)
    }
}
