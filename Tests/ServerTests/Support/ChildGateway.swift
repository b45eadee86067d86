import Curl
import Foundation
import TestHTTPServer

#if canImport(Glibc)
    import Glibc
#endif

/// The built `switchboard serve` running as a child process on a fixed loopback port, so a test can kill it
/// (SIGKILL: a crash) or stop it (SIGTERM: a graceful shutdown) and start it again on the same database and port.
///
/// Its output goes to a log file in the test's directory: an undrained pipe would block the child once full.
final class ChildGateway: @unchecked Sendable {
    let configPath: String
    let port: Int
    let logURL: URL
    let environment: [String: String]
    private let lock = NSLock()
    private var process: SpawnedProcess?

    init(configPath: String, port: Int, logURL: URL, environment: [String: String] = [:]) {
        self.configPath = configPath
        self.port = port
        self.logURL = logURL
        self.environment = environment
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A loopback port nothing listens on right now (a test server's, released again).
    static func freePort() async throws -> Int {
        let server = try await TestHTTPServer.start()
        let port = server.port
        try await server.shutdown()
        return port
    }

    /// Starts the child and waits (bounded) until `/healthz` answers 200.
    func start(client: CurlClient, within timeout: Duration = .seconds(60)) async throws {
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        try log.seekToEnd()
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWITCHBOARD_") }
        env.merge(environment) { $1 }
        let process = try SpawnedProcess(
            executable: CLIProcess.executable.path, arguments: ["serve", "--config", configPath], environment: env,
            stdout: log.fileDescriptor, stderr: log.fileDescriptor)
        lock.withLock { self.process = process }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw TestFailure("switchboard serve exited with \(await process.exitStatus()); log: \(logTail())")
            }
            let request = CurlRequest(method: "GET", url: baseURL + "/healthz", timeout: 2, connectTimeout: 1)
            if let response = try? await client.execute(request), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("switchboard serve did not answer /healthz within \(timeout); log: \(logTail())")
    }

    /// SIGKILL: the process dies at once, mid-request or mid-transaction.
    func kill() async {
        guard let process = lock.withLock({ self.process }) else { return }
        process.send(SIGKILL)
        _ = await process.exitStatus()
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    func terminate() async -> Int32 {
        guard let process = lock.withLock({ self.process }) else { return -1 }
        process.send(SIGTERM)
        return await process.exitStatus()
    }

    /// Sends `signal` (SIGHUP: reload the configuration) to the running child.
    func send(signal: Int32) {
        lock.withLock { self.process }?.send(signal)
    }

    /// Kills the child if it still runs (end of test, or a failure).
    func stopIfRunning() async {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        await kill()
    }

    func logTail(_ characters: Int = 4000) -> String {
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return String(text.suffix(characters))
    }
}
