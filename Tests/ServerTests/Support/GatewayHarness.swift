import Curl
import Foundation
import GatewayAssembly
import Logging
import Server
import Switchboard
import Synchronization
import TestHTTPServer

/// A gateway running in this process on a loopback port with a fresh SQLite file, and a curl client to call it.
struct GatewayHarness: Sendable {
    let port: Int
    let configuration: Configuration
    let client: CurlClient
    /// Every route the gateway's router serves, as `METHOD /path/{parameter}`.
    var routes: [String] = []

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The gateway's logger for harnesses started in this task (the log-scanning test captures every line).
    @TaskLocal static var logger: Logger?

    /// Starts the gateway with `configuration` (its listen port replaced, and its database unless
    /// `keepDatabase`), runs `body`, stops it.
    static func with<Result: Sendable>(
        _ configuration: Configuration,
        heartbeat: Duration = .seconds(15),
        keepDatabase: Bool = false,
        retentionInterval: Duration = .seconds(60),
        reloadSource: (@Sendable () throws(SwitchboardError) -> Configuration)? = nil,
        _ body: @Sendable (GatewayHarness) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.listen = .init(host: "127.0.0.1", port: 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        if !keepDatabase {
            configuration.database = "sqlite:\(directory.appendingPathComponent("gateway.sqlite").path)"
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "switchboard.test")
        logger.logLevel = .warning
        if let chosen = Self.logger { logger = chosen }
        let stopper = ServerStopper()
        var options = SwitchboardServer.Options(
            onListening: { port in portContinuation.yield(port) }, heartbeatInterval: heartbeat, shutdownSignals: [],
            stopper: stopper)
        options.retentionInterval = retentionInterval
        options.reloadSignals = []
        if let reloadSource {
            // The reloaded configuration listens and stores where this one does, as a file reloaded in place would.
            options.reloadSource = { [configuration] () throws(SwitchboardError) -> Configuration in
                var reloaded = try reloadSource()
                reloaded.listen = configuration.listen
                reloaded.database = configuration.database
                return reloaded
            }
        }
        let routes = Mutex<[String]>([])
        options.onRoutes = { built in routes.withLock { $0 = built } }
        let server = Task { [configuration, logger] in
            defer { portContinuation.finish() }
            try await SwitchboardServer.run(configuration: configuration, logger: logger, options: options)
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await server.value
            throw TestFailure("the gateway stopped before it listened")
        }
        do {
            let result = try await CurlClient.withCurlClient { client in
                try await body(
                    GatewayHarness(
                        port: port, configuration: configuration, client: client, routes: routes.withLock { $0 }))
            }
            await stopper.stop()
            try await server.value
            return result
        } catch {
            await stopper.stop()
            _ = await server.result
            throw error
        }
    }

    // MARK: Calls

    func request(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil,
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) async throws -> CurlResponse {
        var headers = headers
        if let token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        var body = body
        if let json {
            headers.append((name: "Content-Type", value: "application/json"))
            body = Array(json.utf8)
        }
        return try await client.execute(CurlRequest(method: method, url: baseURL + path, headers: headers, body: body))
    }

    /// A `/v1` call that must answer `status`; returns its JSON.
    func api(
        _ method: String, _ path: String, token: String, json: String? = nil, expect status: Int = 200
    ) async throws -> JSONValue {
        let response = try await request(method, path, token: token, json: json)
        guard response.status == status else {
            throw TestFailure("\(method) \(path) answered \(response.status), expected \(status): \(response.text)")
        }
        return try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    /// Opens an agent's event stream.
    func events(agent: String, token: String, lastEventID: String? = nil) async throws -> EventReader {
        var headers = [("Authorization", "Bearer \(token)")]
        if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
        let client = try await SSEClient.connect(port: port, path: "/v1/agents/\(agent)/events", headers: headers)
        return EventReader(client: client)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension CurlResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }
}

/// Reads an agent's SSE stream: a background task collects events as they arrive; `next` waits for one.
actor EventReader {
    let client: SSEClient
    private var buffer: [ServerSentEvent] = []
    /// Every event taken by `next` so far, in order.
    private(set) var seen: [ServerSentEvent] = []
    private var finished = false
    private var collector: Task<Void, Never>?

    init(client: SSEClient) {
        self.client = client
    }

    private func start() {
        guard collector == nil else { return }
        collector = Task { [client] in
            for await event in client.events { self.append(event) }
            self.finish()
        }
    }

    private func append(_ event: ServerSentEvent) { buffer.append(event) }
    private func finish() { finished = true }

    /// The next event of type `type` (skipping and recording others), within `timeout`.
    func next(
        _ type: String, timeout: Duration = .seconds(10)
    ) async throws -> (event: ServerSentEvent, data: JSONValue) {
        start()
        let deadline = ContinuousClock.now + timeout
        while true {
            while !buffer.isEmpty {
                let event = buffer.removeFirst()
                seen.append(event)
                if event.event == type {
                    return (event, try JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)))
                }
            }
            if finished || ContinuousClock.now >= deadline {
                throw TestFailure("no \(type) event within \(timeout); saw \(seen.map(\.event))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Events that arrived and were not taken yet, after waiting `quiet` for more.
    func drain(quiet: Duration = .milliseconds(200)) async throws -> [ServerSentEvent] {
        start()
        try await Task.sleep(for: quiet)
        let events = buffer
        buffer = []
        seen += events
        return events
    }

    /// Waits until the gateway ended the stream (within `timeout`); the events not taken yet are dropped.
    func waitUntilClosed(timeout: Duration = .seconds(10)) async throws {
        start()
        let deadline = ContinuousClock.now + timeout
        while !finished {
            if ContinuousClock.now >= deadline { throw TestFailure("the stream is still open after \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Whether the gateway ended the stream.
    var isClosed: Bool { finished }

    func close() async {
        await client.close()
        collector?.cancel()
    }
}
