import Foundation
import Switchboard
import TestHTTPServer

/// Line 6: resident memory (VmRSS) of a gateway process configured with `agents` agents, idle and then with
/// every agent's SSE stream open (one connection each, opened by this process).
struct MemoryBenchmark {
    /// `SWITCHBOARD_BENCH_MEMORY_AGENTS` changes it for a look with a profiler (the line is named for 10,000).
    var agents = BenchLines.environment("SWITCHBOARD_BENCH_MEMORY_AGENTS").flatMap(Int.init) ?? 10_000

    struct Report {
        var idleBytes: Double
        var idleSplit: (anonymous: Double, file: Double)
        var connectedBytes: Double
        var connected: Int
    }

    func run() async throws -> Report {
        // Each side of the loopback connections is in its own process: 10,000 descriptors each, and some spare.
        try raiseOpenFileLimit(to: agents + 1_000)
        let directory = try makeScratchDirectory("memory")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = IngestBenchmark.configuration(
            database: "sqlite:\(directory.appendingPathComponent("memory.sqlite").path)")
        configuration.agents = (0..<agents).map { .init(id: "agent\($0)", token: "token-\($0)", queues: ["default"]) }
        let gateway = try await GatewayProcess.start(configuration, in: directory, name: "memory")
        defer { gateway.stop() }
        try await Task.sleep(for: .seconds(2))
        let idle = gateway.child.residentBytes
        let idleSplit = gateway.child.residentSplit
        if let hold = Self.holdSeconds("SWITCHBOARD_BENCH_MEMORY_HOLD_IDLE_SECONDS") {
            FileHandle.standardError.write(
                Data("memory: gateway pid \(gateway.child.pid) idle, holding \(hold) s\n".utf8))
            try await Task.sleep(for: .seconds(hold))
        }

        var streams: [SSEClient] = []
        streams.reserveCapacity(agents)
        // In waves, so the listen backlog never overflows.
        for wave in stride(from: 0, to: agents, by: 500) {
            let opened = try await withThrowingTaskGroup(of: SSEClient.self) { group in
                for index in wave..<min(agents, wave + 500) {
                    group.addTask {
                        try await SSEClient.connect(
                            port: gateway.port, path: "/v1/agents/agent\(index)/events",
                            headers: [("Authorization", "Bearer token-\(index)")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            streams += opened
        }
        // Every stream answered 200 (bounded wait), then the gateway settles.
        let deadline = ContinuousClock.now + .seconds(30)
        while streams.contains(where: { $0.status == nil }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let connected = streams.count { $0.status == 200 }
        try await Task.sleep(for: .seconds(2))
        let busy = gateway.child.residentBytes
        // For a look inside the gateway while every stream is open (heaptrack, gdb, /proc/PID/smaps_rollup).
        if let hold = Self.holdSeconds("SWITCHBOARD_BENCH_MEMORY_HOLD_SECONDS") {
            FileHandle.standardError.write(Data("memory: gateway pid \(gateway.child.pid), holding \(hold) s\n".utf8))
            try await Task.sleep(for: .seconds(hold))
        }
        for stream in streams { await stream.close() }
        return Report(idleBytes: idle, idleSplit: idleSplit, connectedBytes: busy, connected: connected)
    }
}

extension MemoryBenchmark {
    /// A pause that the environment asks for, to attach heaptrack or gdb to the gateway or read its `/proc` files.
    static func holdSeconds(_ variable: String) -> Int? {
        BenchLines.environment(variable).flatMap(Int.init)
    }
}

/// Raises this process's open-file limit (children inherit it) up to the hard limit.
func raiseOpenFileLimit(to wanted: Int) throws {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    guard limit.rlim_cur < rlim_t(wanted) else { return }
    limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    guard limit.rlim_cur >= rlim_t(wanted) else {
        throw BenchError("the open-file limit is \(limit.rlim_cur), \(wanted) needed: run `ulimit -n \(wanted)` first")
    }
}
