import Foundation
import Providers
import Switchboard

/// Line 1: signed Twilio inbound SMS webhooks per second, end to end (the gateway answers after the commit),
/// from `wrk` replaying pre-signed requests with unique MessageSids, against the same gateways' no-op route.
///
/// Takes a database URL and a number of gateway instances so that other stores and several instances on
/// one database can be measured the same way: `sqlite:` alone means a fresh SQLite file in a temporary
/// directory; any other URL must name an empty database every instance can share.
struct IngestBenchmark {
    enum Customers: String {
        /// Every request from a number never seen: each opens a conversation and asks the router for an agent.
        case new
        /// Requests from 1,000 numbers whose conversations are already open: each appends a message.
        case existing
    }

    var database = "sqlite:"
    var instances = 1
    var seconds = 6
    var connections = 64
    /// Pre-signed requests per instance; more than the run can send, so no MessageSid repeats.
    var requestsPerInstance = 150_000

    static let channelID = "twilio-main"
    static let path = "/webhooks/twilio-main/inbound"
    static let existingCustomers = 1_000

    static func configuration(database: String) -> Configuration {
        var configuration = Configuration(
            publicURL: "https://gateway.example.com", adminToken: "bench-admin",
            channels: [
                .init(
                    id: channelID, provider: .twilio, numbers: ["+14155550199"], region: "US",
                    credentials: ["accountSID": "AC0123456789abcdef0123456789abcdef", "authToken": "bench-token"],
                    apiBaseURL: "http://127.0.0.1:9")
            ],
            agents: [.init(id: "agent0", token: "token0", queues: ["default"])])
        configuration.database = database
        return configuration
    }

    struct Report {
        var customers: Customers
        var ingest: Wrk.Result
        var noOp: Wrk.Result
        var ingestPerSecond: Double
        var noOpPerSecond: Double
        /// The gateways' CPU time (all threads, the SQLite store's included) per webhook answered during the load,
        /// in seconds; a PostgreSQL server's own work is not in it.
        var gatewayCPUPerWebhook: Double
        /// Bytes the gateways handed to write system calls per webhook answered (SQLite: the WAL's frames and the
        /// checkpoints' pages; the responses too, about 0.2 kB).
        var gatewayBytesPerWebhook: Double
        /// A local PostgreSQL server's CPU time per webhook during the load (every `postgres` process).
        var postgresCPUPerWebhook: Double?
    }

    /// Runs the new-customer and existing-customer loads, each against fresh gateways, and the no-op ceiling.
    func run(customers: [Customers], log: (String) -> Void) async throws -> [Report] {
        let directory = try makeScratchDirectory("ingest")
        defer { try? FileManager.default.removeItem(at: directory) }
        let signingStart = ContinuousClock.now
        let configuration = Self.configuration(database: "sqlite:unused")
        var files: [Customers: [String]] = [:]
        for kind in customers {
            files[kind] = try (0..<instances).map { instance in
                let file = directory.appendingPathComponent("\(kind.rawValue)-\(instance).txt").path
                try Self.writeRequests(
                    to: file, count: requestsPerInstance, customers: kind, instance: instance,
                    configuration: configuration)
                return file
            }
        }
        let warmUp = directory.appendingPathComponent("warm-up.txt").path
        try Self.writeRequests(
            to: warmUp, count: Self.existingCustomers, customers: .existing, instance: 99,
            configuration: configuration)
        log(
            String(
                format: "ingest: signed %d requests in %.1f s (before the load)",
                requestsPerInstance * instances * customers.count, (ContinuousClock.now - signingStart).seconds))

        var reports: [Report] = []
        for (round, kind) in customers.enumerated() {
            let gateways = try await startGateways(in: directory, round: round)
            defer { for gateway in gateways { gateway.stop() } }
            if kind == .existing {
                // Opens the 1,000 customers' conversations first (their repeats are answered as duplicates).
                _ = try await load(gateways, files: gateways.map { _ in warmUp }, seconds: 2, directory: directory)
            }
            let cpuBefore = gateways.map(\.child.cpuSeconds).reduce(0, +)
            let bytesBefore = gateways.map(\.child.bytesWritten).reduce(0, +)
            let serverBefore = ProcessCPU.seconds(ofProcessesNamed: "postgres")
            let ingest = try await load(gateways, files: files[kind]!, seconds: seconds, directory: directory)
            let cpu = gateways.map(\.child.cpuSeconds).reduce(0, +) - cpuBefore
            let bytes = gateways.map(\.child.bytesWritten).reduce(0, +) - bytesBefore
            let serverCPU = ProcessCPU.seconds(ofProcessesNamed: "postgres") - serverBefore
            let answered = Double(max(1, ingest.requests - ingest.statusErrors))
            let noOp = try await load(
                gateways, files: files[kind]!, seconds: seconds, directory: directory, path: "/bench/noop")
            reports.append(
                Report(
                    customers: kind, ingest: ingest, noOp: noOp, ingestPerSecond: ingest.goodPerSecond,
                    noOpPerSecond: noOp.goodPerSecond,
                    gatewayCPUPerWebhook: cpu / answered, gatewayBytesPerWebhook: bytes / answered,
                    postgresCPUPerWebhook: database.hasPrefix("postgres") ? serverCPU / answered : nil))
        }
        return reports
    }

    private func startGateways(in directory: URL, round: Int) async throws -> [GatewayProcess] {
        var databaseURL = database
        if database == "sqlite:" {
            guard instances == 1 else { throw BenchError("several instances need a shared database, not sqlite:") }
            databaseURL = "sqlite:" + directory.appendingPathComponent("ingest-\(round).sqlite").path
        } else if database.hasPrefix("postgres") {
            databaseURL = try BenchPostgres.createDatabase(on: database)
        }
        var gateways: [GatewayProcess] = []
        for instance in 0..<instances {
            var configuration = Self.configuration(database: databaseURL)
            var port = 0
            if databaseURL.hasPrefix("postgres") {
                // Instances reach the router's leader at their advertised address: a known port, not port 0.
                port = try freeLoopbackPort()
                configuration.cluster = .init(advertiseURL: "http://127.0.0.1:\(port)", secret: "bench-cluster-secret")
            }
            gateways.append(
                try await GatewayProcess.start(
                    configuration, in: directory, name: "ingest-\(round)-\(instance)", port: port))
        }
        return gateways
    }

    /// One `wrk` per instance at once, the connections split between them; the results summed.
    private func load(
        _ gateways: [GatewayProcess], files: [String], seconds: Int, directory: URL, path: String = Self.path
    ) async throws -> Wrk.Result {
        let wrk = Wrk(threads: 2, connections: max(2, connections / gateways.count), seconds: seconds)
        let results = try await withThrowingTaskGroup(of: Wrk.Result.self) { group in
            for (index, gateway) in gateways.enumerated() {
                group.addTask {
                    try await wrk.run(
                        port: gateway.port, path: path, requestsFile: files[index],
                        logPath: directory.appendingPathComponent("wrk-\(index)-\(UUID()).log").path)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let duration = results.map(\.duration).max() ?? 1
        return Wrk.Result(
            requests: results.map(\.requests).reduce(0, +), duration: duration,
            socketErrors: results.map(\.socketErrors).reduce(0, +),
            statusErrors: results.map(\.statusErrors).reduce(0, +), wrapped: results.map(\.wrapped).reduce(0, +),
            p50: results.map(\.p50).max() ?? 0, p99: results.map(\.p99).max() ?? 0)
    }

    /// `count` inbound SMS to the Twilio channel, each with its own MessageSid, signed as Twilio signs them
    /// (the repo's `TwilioFixtureSigner`), one per line: `signature<TAB>form body`.
    static func writeRequests(
        to file: String, count: Int, customers: Customers, instance: Int, configuration: Configuration
    ) throws {
        let channel = configuration.channels[0]
        let signer = ProviderRegistry.signer(for: channel, context: WebhookContext(configuration))
        let headers = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
        let now = Date()
        let runID = UInt32.random(in: 0...UInt32.max)
        var text = ""
        text.reserveCapacity(count * 220)
        for index in 0..<count {
            let customer =
                customers == .new ? 2_000_000 + 1_000_000 * instance + index : 9_000_000 + index % existingCustomers
            let sid = "SM" + String(format: "%08x%04x%020d", runID, instance, index)
            let body =
                "MessageSid=\(sid)&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B1415\(String(format: "%07d", customer))"
                + "&To=%2B14155550199&Body=Hello+from+the+bench+\(index)&NumMedia=0"
            let signed = signer.sign(
                method: "POST", kind: "inbound", query: "", headers: headers, body: Array(body.utf8), now: now)
            let signature = signed.headers.first { $0.name == "X-Twilio-Signature" }?.value ?? ""
            text += signature + "\t" + body + "\n"
        }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
    }
}
