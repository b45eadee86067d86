import Foundation

/// `wrk` (Debian package) with Benchmarks/replay.lua: a fixed-duration load of pre-generated requests.
struct Wrk {
    var threads = 2
    var connections = 64
    var seconds = 6

    struct Result {
        var requests: Int
        var duration: Double
        var socketErrors: Int
        /// Answers other than 2xx/3xx.
        var statusErrors: Int
        /// How many times a thread ran out of requests and replayed its first ones.
        var wrapped: Int
        var p50: Double
        var p99: Double
        var perSecond: Double { Double(requests) / duration }
        /// Requests answered 2xx/3xx per second.
        var goodPerSecond: Double { Double(requests - statusErrors) / duration }
    }

    /// The replay script: Benchmarks/replay.lua from the package root (`make bench` runs from there), or
    /// `SWITCHBOARD_BENCH_LUA`.
    static var script: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_BENCH_LUA"]
            ?? FileManager.default.currentDirectoryPath + "/Benchmarks/replay.lua"
    }

    func run(port: Int, path: String, requestsFile: String, logPath: String) async throws -> Result {
        guard FileManager.default.fileExists(atPath: Wrk.script) else {
            throw BenchError("\(Wrk.script) is missing: run the bench from the package root")
        }
        let child = try ChildProcess(
            executable: "/usr/bin/wrk",
            arguments: [
                "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "10s", "-s", Wrk.script,
                "http://127.0.0.1:\(port)\(path)", "--", requestsFile, path, "\(threads)",
            ],
            logPath: logPath)
        let status = try await child.waitForExit(timeout: .seconds(seconds + 60))
        let output = child.output
        guard status == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("BENCH ") }) else {
            throw BenchError("wrk failed (exit \(status)):\n\(output)")
        }
        var fields: [String: Double] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { fields[String(parts[0])] = Double(parts[1]) }
        }
        func field(_ name: String) -> Double { fields[name] ?? 0 }
        return Result(
            requests: Int(field("requests")), duration: field("duration_us") / 1e6,
            socketErrors: Int(field("socket_errors")), statusErrors: Int(field("status_errors")),
            wrapped: Int(field("wrapped")), p50: field("p50_us") / 1e6, p99: field("p99_us") / 1e6)
    }
}
