import Curl
import Foundation
import Synchronization
import TestHTTPServer

/// The peer (issue 18): Kannel's inbound (MO) pipeline, Debian's `kannel` 1.4.5, from its own fake SMSC
/// (`fakesmsc`, package `kannel-extras`) through bearerbox and smsbox to an HTTP sink in this process, on loopback.
///
/// `fakesmsc` sends `messages` MO messages as fast as it can to bearerbox's `fake` SMSC; smsbox's `default`
/// sms-service GETs the sink once per message (`max-messages = 0`: no reply goes back). The figure is the messages
/// the sink received ÷ the time from starting `fakesmsc` to the last of them.
struct KannelBenchmark {
    enum Store: String, Sendable {
        case none = "no store"
        /// `store-type = file` in a directory made synchronous with `chattr +S` (every write reaches the disk
        /// before it returns, as on a `sync` mount): Kannel's file store itself never calls fsync.
        case file = "file store"
    }

    var messages = 20_000
    var timeout: Duration = .seconds(60)
    /// Seconds each Kannel process gets to end after SIGTERM (bearerbox would otherwise drain its queues first).
    static let grace = 1.0

    static let bearerbox = "/usr/sbin/bearerbox"
    static let smsbox = "/usr/sbin/smsbox"
    static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"

    struct Report {
        var store: Store
        var sent: Int
        var delivered: Int
        var seconds: Double
        /// How the store's directory was written (nil without a store).
        var storeNote: String?
        var perSecond: Double { seconds > 0 ? Double(delivered) / seconds : 0 }
    }

    func run(store: Store) async throws -> Report {
        for path in [Self.bearerbox, Self.smsbox, Self.fakesmsc]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw BenchError(
                "\(path) is missing: install the Debian packages kannel and kannel-extras (make deps-bench)")
        }
        let directory = try makeScratchDirectory("kannel")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = SinkCount()
        let server = try await TestHTTPServer.start { _ in
            sink.record()
            return TestHTTPResponse(status: 200)
        }
        defer { Task { try? await server.shutdown() } }

        var storeFile: String?
        var storeNote: String?
        if store == .file {
            let storeDirectory = directory.appendingPathComponent("store")
            try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
            storeNote = try await Self.makeSynchronous(
                storeDirectory, log: directory.appendingPathComponent("chattr.log"))
            storeFile = storeDirectory.appendingPathComponent("kannel.store").path
        }
        let ports = KannelPorts(
            admin: try freeLoopbackPort(), smsbox: try freeLoopbackPort(), smsc: try freeLoopbackPort())
        let configPath = directory.appendingPathComponent("kannel.conf").path
        try Self.configuration(ports: ports, sinkURL: server.url("/sink?from=%p&to=%P&text=%a"), storeFile: storeFile)
            .write(toFile: configPath, atomically: true, encoding: .utf8)

        let bearer = try ChildProcess(
            executable: Self.bearerbox, arguments: ["-v", "3", configPath],
            logPath: directory.appendingPathComponent("bearerbox.log").path)
        defer { bearer.stop(grace: Self.grace) }
        try await KannelStatus(port: ports.admin).wait(for: "Status:", what: "bearerbox's admin port", child: bearer)
        let box = try ChildProcess(
            executable: Self.smsbox, arguments: ["-v", "3", configPath],
            logPath: directory.appendingPathComponent("smsbox.log").path)
        defer { box.stop(grace: Self.grace) }
        try await KannelStatus(port: ports.admin).wait(for: "smsbox:", what: "smsbox's connection", child: box)

        let started = ContinuousClock.now
        let injector = try ChildProcess(
            executable: Self.fakesmsc,
            arguments: [
                "-v", "3", "-H", "127.0.0.1", "-r", "\(ports.smsc)", "-i", "0", "-m", "\(messages)",
                "14155550100 14155550199 text Hello from the bench",
            ],
            logPath: directory.appendingPathComponent("fakesmsc.log").path)
        // fakesmsc keeps its connection open for replies once it has sent everything: stopped here.
        defer { injector.stop(grace: Self.grace) }
        let deadline = started + timeout
        while sink.count < messages, ContinuousClock.now < deadline {
            guard bearer.process.isRunning, box.process.isRunning else {
                throw BenchError(
                    "Kannel exited during the run:\n\(bearer.output.suffix(2_000))\n\(box.output.suffix(2_000))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let delivered = sink.count
        guard delivered > 0, let last = sink.lastAt else {
            throw BenchError(
                "no message reached the sink within \(timeout):\n\(injector.output.suffix(2_000))\n\(bearer.output.suffix(2_000))"
            )
        }
        return Report(
            store: store, sent: messages, delivered: delivered, seconds: (last - started).seconds, storeNote: storeNote)
    }

    /// `chattr +S` on an ext2/3/4 directory: files created in it are written synchronously. Says how it went.
    static func makeSynchronous(_ directory: URL, log: URL) async throws -> String {
        let chattr = try ChildProcess(
            executable: "/usr/bin/chattr", arguments: ["+S", directory.path], logPath: log.path)
        let status = try await chattr.waitForExit(timeout: .seconds(10))
        return status == 0
            ? "store file in a directory with chattr +S (synchronous writes, same disk as the bench's temporary directory)"
            : "NOT synchronous: chattr +S failed (\(chattr.output.trimmingCharacters(in: .whitespacesAndNewlines))), the store file went through the page cache"
    }

    static func configuration(ports: KannelPorts, sinkURL: String, storeFile: String?) -> String {
        var core = [
            "group = core", "admin-port = \(ports.admin)", "admin-password = bench", "admin-interface = 127.0.0.1",
            "smsbox-port = \(ports.smsbox)", "box-allow-ip = 127.0.0.1", "log-level = 3",
        ]
        if let storeFile { core += ["store-type = file", "store-location = \"\(storeFile)\""] }
        return
            (core + [
                "",
                "group = smsc", "smsc = fake", "smsc-id = fake", "port = \(ports.smsc)", "connect-allow-ip = 127.0.0.1",
                "",
                "group = smsbox", "bearerbox-host = 127.0.0.1", "bearerbox-port = \(ports.smsbox)", "log-level = 3",
                "",
                "group = sms-service", "keyword = default", "get-url = \"\(sinkURL)\"", "max-messages = 0",
            ]).joined(separator: "\n") + "\n"
    }
}

struct KannelPorts {
    var admin: Int
    var smsbox: Int
    var smsc: Int
}

/// bearerbox's `status.txt` on its admin port, polled until it shows a text (bounded, 30 s).
struct KannelStatus {
    var port: Int

    func wait(for text: String, what: String, child: ChildProcess) async throws {
        let url = "http://127.0.0.1:\(port)/status.txt?password=bench"
        let deadline = ContinuousClock.now + .seconds(30)
        try await CurlClient.withCurlClient { client in
            while ContinuousClock.now < deadline {
                guard child.process.isRunning else { throw BenchError("\(what): the process exited:\n\(child.output)") }
                let response = try? await client.execute(CurlRequest(method: "GET", url: url, timeout: 2))
                if let response, String(decoding: response.body, as: UTF8.self).contains(text) { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw BenchError("\(what): not ready within 30 s:\n\(child.output.suffix(2_000))")
        }
    }
}

/// Requests the sink received, and when the last one came.
final class SinkCount: Sendable {
    private let state = Mutex((count: 0, lastAt: ContinuousClock.Instant?.none))

    var count: Int { state.withLock { $0.count } }
    var lastAt: ContinuousClock.Instant? { state.withLock { $0.lastAt } }

    func record() {
        let now = ContinuousClock.now
        state.withLock {
            $0.count += 1
            $0.lastAt = now
        }
    }
}
