import Foundation
import GatewayAssembly
import Logging
import Server
import Switchboard

/// A process the benchmark starts (a gateway, the fake provider, `wrk`) so that load generator and server do not
/// share one runtime. Output goes to a log file, shown when something fails.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(executable: String, arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits (polling, bounded) for the process to end by itself.
    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                stop()
                throw BenchError("\(process.executableURL?.lastPathComponent ?? "child") did not end within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// SIGTERM (graceful), then SIGKILL after `grace` seconds.
    func stop(grace: Double = 5) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Resident memory (VmRSS) in bytes.
    var residentBytes: Double { statusBytes("VmRSS") }

    /// The resident bytes that are anonymous memory (heap, stacks, relocated data: `RssAnon`) and pages of mapped
    /// files (code and read-only data of the executable and its libraries: `RssFile`).
    var residentSplit: (anonymous: Double, file: Double) { (statusBytes("RssAnon"), statusBytes("RssFile")) }

    /// A size field (in kB) of `/proc/PID/status`, in bytes; NaN when it cannot be read.
    private func statusBytes(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let kilobytes = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
            .flatMap { Double($0) }
        return (kilobytes ?? .nan) * 1024
    }

    /// CPU time the process has used so far (user + system, all its threads), in seconds.
    var cpuSeconds: Double { ProcessCPU.seconds(of: pid) ?? .nan }

    /// Bytes the process has handed to write system calls so far (`wchar` of `/proc/PID/io`: files and sockets).
    var bytesWritten: Double {
        guard let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8),
            let line = io.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }),
            let bytes = Double(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        else { return .nan }
        return bytes
    }

    /// This very executable, to start it again as a gateway or fake provider.
    static var benchExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Polls (bounded) for the file a child writes its port to once it listens.
    func waitForPort(file: String, what: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return port
            }
            guard process.isRunning else { throw BenchError("\(what) exited before listening:\n\(output)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw BenchError("\(what) did not listen within 30 s:\n\(output)")
    }
}

/// A gateway (`SwitchboardServer.run`, as `switchboard serve` runs it, plus the bench's no-op route) in a child
/// process of the bench, on a configuration written to a temporary directory.
final class GatewayProcess: @unchecked Sendable {
    let child: ChildProcess
    let port: Int

    private init(child: ChildProcess, port: Int) {
        self.child = child
        self.port = port
    }

    /// Starts a gateway on `configuration` (its `listen` is replaced by 127.0.0.1 and `port`, 0 for any free port).
    static func start(
        _ configuration: Configuration, in directory: URL, name: String, port: Int = 0,
        environment: [String: String] = [:]
    ) async throws -> GatewayProcess {
        var configuration = configuration
        configuration.listen = .init(host: "127.0.0.1", port: port)
        let configPath = directory.appendingPathComponent("\(name).json").path
        let portPath = directory.appendingPathComponent("\(name).port").path
        try JSONEncoder().encode(configuration).write(to: URL(fileURLWithPath: configPath))
        // `SWITCHBOARD_BENCH_GATEWAY_WRAPPER` (e.g. `/usr/bin/heaptrack -o /tmp/gateway`) starts the gateway under a
        // profiler; its figures are then the wrapper's, so only for a look inside.
        let wrapper = ProcessInfo.processInfo.environment["SWITCHBOARD_BENCH_GATEWAY_WRAPPER"].map {
            $0.split(separator: " ").map(String.init)
        }
        let command = ["serve-gateway", configPath, portPath]
        let child = try ChildProcess(
            executable: wrapper?.first ?? ChildProcess.benchExecutable,
            arguments: wrapper.map { Array($0.dropFirst()) + [ChildProcess.benchExecutable] + command } ?? command,
            logPath: directory.appendingPathComponent("\(name).log").path, environment: environment)
        let port = try await child.waitForPort(file: portPath, what: "the gateway \(name)")
        return GatewayProcess(child: child, port: port)
    }

    func stop() { child.stop() }

    /// `serve-gateway CONFIG PORTFILE`: the child side. Serves until SIGTERM. `SWITCHBOARD_BENCH_RETENTION_DELAY_MS`
    /// and `SWITCHBOARD_BENCH_RETENTION_INTERVAL_MS` set when the first retention sweep runs and how often.
    static func serve(configPath: String, portPath: String) async throws {
        let configuration = try JSONDecoder().decode(
            Configuration.self, from: Data(contentsOf: URL(fileURLWithPath: configPath)))
        // Logs as `switchboard serve` does (its handler, on every request's logger), at `error`.
        LogSettings(level: .error).bootstrap()
        let logger = Logger(label: "bench-gateway")
        var options = SwitchboardServer.Options(onListening: { port in
            try? "\(port)\n".write(toFile: portPath, atomically: true, encoding: .utf8)
        })
        options.benchmarkNoOpRoute = true
        // `POST /v1/admin/reload` reads the file again, as `switchboard serve` does (the reload line).
        options.reloadSource = { () throws(SwitchboardError) -> Configuration in
            var reloaded = try ConfigurationLoader.load(path: configPath, environment: [:]).configuration
            reloaded.listen = configuration.listen
            return reloaded
        }
        // The retention line's sweep: when it starts and how often it runs (milliseconds).
        let environment = ProcessInfo.processInfo.environment
        if let delay = environment["SWITCHBOARD_BENCH_RETENTION_DELAY_MS"].flatMap(Int.init) {
            options.retentionDelay = .milliseconds(delay)
        }
        if let interval = environment["SWITCHBOARD_BENCH_RETENTION_INTERVAL_MS"].flatMap(Int.init) {
            options.retentionInterval = .milliseconds(interval)
        }
        try await SwitchboardServer.run(configuration: configuration, logger: logger, options: options)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A temporary directory removed when the benchmark ends.
func makeScratchDirectory(_ name: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(name)-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A CPU hog beside a measurement (issue 18's busy neighbour, like `stress-ng --cpu 1`): a child process
/// (`SwitchboardBench busy-neighbour`) keeping one core busy until ``stop()``.
struct BusyNeighbour {
    let child: ChildProcess

    init() throws {
        child = try ChildProcess(
            executable: ChildProcess.benchExecutable, arguments: ["busy-neighbour"],
            logPath: FileManager.default.temporaryDirectory.appendingPathComponent("busy-\(UUID()).log").path)
    }

    func stop() {
        child.stop()
        try? FileManager.default.removeItem(atPath: child.logPath)
    }

    /// The child's side: computes on one thread until killed.
    static func spin() -> Never {
        var state: UInt64 = 1
        while true {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            if state == 0 { print(state) }
        }
    }
}

/// CPU time of processes from `/proc/PID/stat` (`utime`, `stime`; with `cutime`, `cstime` for children that ended
/// and were waited for), in seconds.
enum ProcessCPU {
    static func seconds(of pid: Int32) -> Double? {
        guard let (_, fields) = stat(pid) else { return nil }
        return time(fields, withEndedChildren: false)
    }

    /// Every process called `name` (e.g. `postgres`: the server, its background workers and backends, and those
    /// that ended), for a local server's work during a load.
    static func seconds(ofProcessesNamed name: String) -> Double {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).reduce(0) { total, pid in
            guard let (command, fields) = stat(pid), command == name else { return total }
            return total + (time(fields, withEndedChildren: true) ?? 0)
        }
    }

    /// The command name and the fields after it (the name may hold spaces: split after its closing parenthesis).
    private static func stat(_ pid: Int32) -> (String, [Substring])? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return nil }
        return (String(stat[stat.index(after: open)..<close]), stat[stat.index(after: close)...].split(separator: " "))
    }

    private static func time(_ fields: [Substring], withEndedChildren: Bool) -> Double? {
        // After the name: state, ppid, …; utime is field 14 of the line, the 12th after the name.
        guard fields.count > 14, let user = Double(fields[11]), let system = Double(fields[12]),
            let childUser = Double(fields[13]), let childSystem = Double(fields[14])
        else { return nil }
        let ticks = user + system + (withEndedChildren ? childUser + childSystem : 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
