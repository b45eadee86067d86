import Curl
import Foundation
import Switchboard
import TestHTTPServer

/// The reload line (CONTRACT.md §12): `POST /v1/admin/reload` on a gateway process with `agents` configured agents,
/// `streams` of them signed in through an open event stream. Each reload reads a file that rotates one agent's
/// token, removes one agent without a stream and adds another; the time is the route's round trip (read, check,
/// compare, apply everywhere, answer).
struct ReloadBenchmark {
    var agents = 10_000
    var streams = 1_000
    var reloads = 20

    struct Report {
        var seconds: Samples
    }

    static let adminToken = "bench-admin-token"

    func configuration(variant: Int) -> Configuration {
        var agents = (0..<agents).map { Configuration.Agent(id: "a\($0)", token: "t\($0)") }
        // The last agent is replaced by another in odd variants; the one before it has its token rotated.
        if variant % 2 == 1 {
            agents[agents.count - 1] = .init(id: "added", token: "t-added")
            agents[agents.count - 2].token = "t-rotated-\(variant)"
        }
        return Configuration(
            adminToken: Self.adminToken,
            channels: [
                .init(
                    id: "sms", provider: .twilio,
                    credentials: ["accountSID": "AC0123456789abcdef0123456789abcdef", "authToken": "bench-token"])
            ], agents: agents)
    }

    func run(log: (String) -> Void) async throws -> Report {
        let directory = try makeScratchDirectory("reload")
        defer { try? FileManager.default.removeItem(at: directory) }
        var initial = configuration(variant: 0)
        initial.database = "sqlite:\(directory.appendingPathComponent("reload.sqlite").path)"
        let gateway = try await GatewayProcess.start(initial, in: directory, name: "reload")
        defer { gateway.stop() }
        let file = directory.appendingPathComponent("reload.json")
        var clients: [SSEClient] = []
        for index in 0..<streams {
            clients.append(
                try await SSEClient.connect(
                    port: gateway.port, path: "/v1/agents/a\(index)/events",
                    headers: [("Authorization", "Bearer t\(index)")]))
        }
        log("reload: \(agents) agents, \(streams) streams open")
        return try await CurlClient.withCurlClient { client in
            var seconds: [Double] = []
            for round in 1...reloads {
                var next = configuration(variant: round)
                next.database = initial.database
                try JSONEncoder().encode(next).write(to: file)
                let started = ContinuousClock.now
                let response = try await client.execute(
                    CurlRequest(
                        method: "POST", url: "http://127.0.0.1:\(gateway.port)/v1/admin/reload",
                        headers: [(name: "Authorization", value: "Bearer \(Self.adminToken)")], timeout: 60))
                seconds.append((ContinuousClock.now - started).seconds)
                guard response.status == 200 else {
                    throw BenchError(
                        "reload answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
                }
            }
            for sse in clients { await sse.close() }
            return Report(seconds: Samples(seconds))
        }
    }
}
