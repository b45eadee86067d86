import Curl
import Foundation
import Storage
import Switchboard
import Synchronization
import TestHTTPServer

/// Remote core mode (CONTRACT.md §11), delivery: a backlog of `events` core events over `conversations`
/// conversations (a core that was down: every event already queued in the SQLite file) drained by a gateway in a
/// child process into a no-op core on loopback. The ceiling is this process POSTing the same signed bodies to the
/// same core with the same concurrency (64) through `CurlClient`.
struct CoreDeliveryBenchmark {
    var events = 50_000
    var conversations = 5_000

    struct Report {
        var deliveredPerSecond: Double
        var ceilingPerSecond: Double
        var delivered: Int
        var outOfOrder: Int
        /// The gateway's CPU time (all threads, its start included) per event delivered, in seconds.
        var gatewayCPUPerEvent: Double
    }

    func run() async throws -> Report {
        let directory = try makeScratchDirectory("core")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bench.sqlite").path
        let body = String(repeating: "x", count: 400)
        let backlog = (0..<events).map { index in
            let conversation = "conv\(index % conversations)"
            return CoreEvent(
                id: "evt\(index)", conversationID: conversation, type: "message.received",
                body: #"{"id":"evt\#(index)","conversationId":"\#(conversation)","pad":"\#(body)"}"#,
                createdAt: Date())
        }
        do {
            let store = try SQLiteStore(path: path)
            for chunk in stride(from: 0, to: backlog.count, by: 1_000) {
                try await store.enqueueCoreEvents(Array(backlog[chunk..<min(chunk + 1_000, backlog.count)]))
            }
        }

        let order = OrderCheck()
        let core = try await TestHTTPServer.start { request in
            order.record(request.header("webhook-id") ?? "", body: request.body)
            return TestHTTPResponse(status: 204)
        }
        defer { Task { try? await core.shutdown() } }
        var configuration = IngestBenchmark.configuration(database: "sqlite:\(path)")
        configuration.router = .init(
            mode: .remote, url: core.url("/events"),
            secret: "whsec_" + Data(repeating: 7, count: 24).base64EncodedString(),
            token: "bench-core")
        let started = ContinuousClock.now
        let gateway = try await GatewayProcess.start(configuration, in: directory, name: "core")
        defer { gateway.stop() }
        let deadline = ContinuousClock.now + .seconds(120)
        while order.count < events, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let delivered = order.count
        let seconds = (order.lastAt ?? ContinuousClock.now) - (order.firstAt ?? started)
        let gatewayCPU = gateway.child.cpuSeconds
        gateway.stop()

        // The ceiling: the same bodies, signed the same way, 64 at a time, to the same core.
        let signer = StandardWebhookSigner(secret: configuration.router.secret!)
        let ceiling = try await CurlClient.withCurlClient { client in
            let next = NextIndex()
            let began = ContinuousClock.now
            await withDiscardingTaskGroup { group in
                for _ in 0..<64 {
                    group.addTask {
                        while true {
                            let index = next.take()
                            guard index < backlog.count else { return }
                            let bytes = Array(backlog[index].body.utf8)
                            let headers =
                                [(name: "Content-Type", value: "application/json")]
                                + signer.headers(
                                    id: backlog[index].id, timestamp: Int(Date().timeIntervalSince1970), body: bytes)
                            _ = try? await client.execute(
                                CurlRequest(method: "POST", url: core.url("/events"), headers: headers, body: bytes))
                        }
                    }
                }
            }
            return Double(backlog.count) / (ContinuousClock.now - began).seconds
        }
        return Report(
            deliveredPerSecond: Double(delivered) / max(seconds.seconds, 0.001), ceilingPerSecond: ceiling,
            delivered: delivered, outOfOrder: order.outOfOrder,
            gatewayCPUPerEvent: gatewayCPU / Double(max(1, delivered)))
    }
}

/// Counts the events the core got and whether each conversation's came in queue order (ids rise per conversation).
final class OrderCheck: Sendable {
    private struct State {
        var seen = Set<String>()
        var last: [String: Int] = [:]
        var outOfOrder = 0
        var firstAt: ContinuousClock.Instant?
        var lastAt: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    var count: Int { state.withLock { $0.seen.count } }
    var outOfOrder: Int { state.withLock { $0.outOfOrder } }
    var firstAt: ContinuousClock.Instant? { state.withLock { $0.firstAt } }
    var lastAt: ContinuousClock.Instant? { state.withLock { $0.lastAt } }

    func record(_ id: String, body: [UInt8]) {
        guard let index = Int(id.dropFirst(3)),
            let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body)),
            let conversation = json["conversationId"]?.stringValue
        else { return }
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.seen.insert(id).inserted else { return }
            if let previous = state.last[conversation], previous > index { state.outOfOrder += 1 }
            state.last[conversation] = index
            if state.firstAt == nil { state.firstAt = now }
            state.lastAt = now
        }
    }
}

/// Hands out 0, 1, 2, … to concurrent tasks.
final class NextIndex: Sendable {
    private let next = Mutex(0)
    func take() -> Int {
        next.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
