import Curl
import Foundation
import GRDB
import Storage
import Switchboard

/// Issue 17: ingest while the retention sweep deletes a million rows (SQLite). A database is prepared with closed
/// conversations long expired (10 messages each, a status-history row each, a dedupe key each: 21 counted rows per
/// conversation, about 1,000,000 in all); one gateway serves it with `retention` making them due and its first sweep
/// delayed. `wrk` sends existing customers' webhooks throughout; `/metrics` is read every second: webhooks stored
/// (`switchboard_webhooks_total{outcome="stored"}`) and rows swept (`switchboard_retention_deleted_total`). The
/// seconds before the sweep are the baseline; the seconds while it deletes are the dip.
struct RetentionBenchmark {
    /// `sqlite:` (a fresh file) or a PostgreSQL server's URL (a fresh database on it).
    var database = "sqlite:"
    /// Closed conversations prepared: 21 rows each that the sweep counts (1 + 10 messages + 10 dedupe keys).
    var conversations = 47_620
    static let messagesPerConversation = 10
    /// Seconds of ingest before the first sweep.
    var baselineSeconds = 10
    /// Seconds of ingest in all (baseline, sweep, after): the line's bound.
    var seconds = 70
    var connections = 64
    /// Requests signed ahead: more than the gateway can store in ``seconds``.
    var requestsPerSecond = 10_000

    var rowsToSweep: Int { conversations * (1 + 2 * Self.messagesPerConversation) }

    /// One second of the run, from two readings of `/metrics`.
    struct Window {
        var end: Double
        var stored: Double
        var deleted: Double
        var seconds: Double
        var storedPerSecond: Double { stored / seconds }
        var deletedPerSecond: Double { deleted / seconds }
    }

    struct Report {
        var rows: Int
        var prepareSeconds: Double
        var windows: [Window]
        var deletedByKind: [String: Double]
        var wrk: Wrk.Result

        var totalDeleted: Double { windows.map(\.deleted).reduce(0, +) }
        /// The seconds before the first deletion once `wrk` sends (it reads its requests first), the first three left
        /// out (`wrk` connecting, the gateway warming up: they ramp up on a loaded machine).
        var baseline: [Window] {
            Array(windows.prefix { $0.deleted == 0 }.drop { $0.stored == 0 }.dropFirst(3))
        }
        /// From the first window that deleted to the last one, inclusive.
        var sweeping: [Window] {
            guard let first = windows.firstIndex(where: { $0.deleted > 0 }),
                let last = windows.lastIndex(where: { $0.deleted > 0 })
            else { return [] }
            return Array(windows[first...last])
        }
        /// The seconds after the last deletion (when the sweep ended within the run): a second baseline, since the
        /// other load on a shared machine drifts.
        var after: [Window] {
            guard let last = windows.lastIndex(where: { $0.deleted > 0 }) else { return [] }
            return Array(windows[(last + 1)...])
        }
        /// Finished: every prepared row gone before the run ended (and a window without deletions after it).
        var finished: Bool { totalDeleted >= Double(rows) && windows.last.map { $0.deleted == 0 } == true }
        static func rate(_ windows: [Window], _ value: KeyPath<Window, Double>) -> Double {
            let seconds = windows.map(\.seconds).reduce(0, +)
            return seconds > 0 ? windows.map { $0[keyPath: value] }.reduce(0, +) / seconds : 0
        }
    }

    func run(log: (String) -> Void) async throws -> Report {
        let directory = try makeScratchDirectory("retention")
        defer { try? FileManager.default.removeItem(at: directory) }
        let prepareStart = ContinuousClock.now
        var configuration: Switchboard.Configuration
        var port = 0
        if database.hasPrefix("postgres") {
            configuration = Self.configuration(database: try BenchPostgres.createDatabase(on: database))
            // One instance of a cluster, as the PostgreSQL ingest lines run: the sweep runs on the leader.
            port = try freeLoopbackPort()
            configuration.cluster = .init(advertiseURL: "http://127.0.0.1:\(port)", secret: "bench-cluster-secret")
            try await preparePostgres(configuration, port: port, in: directory)
        } else {
            let path = directory.appendingPathComponent("retention.sqlite").path
            try prepare(path: path)
            configuration = Self.configuration(database: "sqlite:" + path)
        }
        let prepareSeconds = (ContinuousClock.now - prepareStart).seconds
        log(String(format: "retention: %d rows to sweep prepared in %.1f s", rowsToSweep, prepareSeconds))

        let requests = directory.appendingPathComponent("requests.txt").path
        let warmUp = directory.appendingPathComponent("warm-up.txt").path
        try IngestBenchmark.writeRequests(
            to: requests, count: requestsPerSecond * seconds, customers: .existing, instance: 0,
            configuration: configuration)
        try IngestBenchmark.writeRequests(
            to: warmUp, count: IngestBenchmark.existingCustomers, customers: .existing, instance: 98,
            configuration: configuration)

        // The warm-up (opening the 1,000 customers' conversations) takes 2 s before the measured load.
        let gateway = try await GatewayProcess.start(
            configuration, in: directory, name: "retention", port: port,
            environment: [
                // The warm-up (2 s) and wrk reading its requests (about 150,000 a second) come first.
                "SWITCHBOARD_BENCH_RETENTION_DELAY_MS":
                    "\((baselineSeconds + 4) * 1000 + requestsPerSecond * seconds / 150)",
                "SWITCHBOARD_BENCH_RETENTION_INTERVAL_MS": "1000",
            ])
        defer { gateway.stop() }
        _ = try await Wrk(threads: 2, connections: connections, seconds: 2).run(
            port: gateway.port, path: IngestBenchmark.path, requestsFile: warmUp,
            logPath: directory.appendingPathComponent("wrk-warm-up.log").path)

        let wrk = Wrk(threads: 2, connections: connections, seconds: seconds)
        async let load = wrk.run(
            port: gateway.port, path: IngestBenchmark.path, requestsFile: requests,
            logPath: directory.appendingPathComponent("wrk.log").path)
        let (windows, byKind) = try await Self.sample(port: gateway.port, seconds: seconds)
        return Report(
            rows: rowsToSweep, prepareSeconds: prepareSeconds, windows: windows, deletedByKind: byKind,
            wrk: try await load)
    }

    static func configuration(database: String) -> Switchboard.Configuration {
        var configuration = IngestBenchmark.configuration(database: database)
        configuration.retention = .init(closedConversationsDays: 1, dedupeDays: 2)
        return configuration
    }

    /// Creates the schema (the store's migrations), then bulk-inserts the expired rows with SQL, in one transaction.
    func prepare(path: String) throws {
        _ = try SQLiteStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
        try queue.write { db in
            // 1970: closed and created long before any cutoff.
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                    INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, created_at,
                        closed_at)
                    SELECT 'conv-old-' || i, ?, 'sms', 'default', 'closed', '+1415' || printf('%07d', i), 0, 1000
                    FROM n
                    """, arguments: [conversations, IngestBenchmark.channelID])
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                    INSERT INTO message (id, conversation_id, channel_id, direction, author, text, status,
                        provider_message_id, created_at, updated_at)
                    SELECT 'msg-old-' || i, 'conv-old-' || (i / ?), ?, 'inbound', 'customer',
                        'a message of ordinary length, number ' || i, 'received', 'SMold' || i, 0, 0
                    FROM n
                    """,
                arguments: [
                    conversations * Self.messagesPerConversation, Self.messagesPerConversation,
                    IngestBenchmark.channelID,
                ])
            try db.execute(
                sql: "INSERT INTO message_status_history (message_id, status, at) SELECT id, 'received', 0 FROM message"
            )
            try db.execute(
                sql: """
                    INSERT INTO dedupe_key (channel_id, kind, key, conversation_id, message_id, created_at)
                    SELECT channel_id, 'inbound', provider_message_id, conversation_id, id, 0 FROM message
                    """)
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
    }

    /// Reads `/metrics` every second for `seconds`: per window, webhooks stored and rows swept.
    static func sample(port: Int, seconds: Int) async throws -> ([Window], [String: Double]) {
        let url = "http://127.0.0.1:\(port)/metrics"
        return try await CurlClient.withCurlClient { client in
            func read() async throws -> (at: ContinuousClock.Instant, metrics: Counters) {
                let response = try await client.execute(CurlRequest(method: "GET", url: url, timeout: 5))
                return (ContinuousClock.now, Counters(String(decoding: response.body, as: UTF8.self)))
            }
            let start = ContinuousClock.now
            var previous = try await read()
            var windows: [Window] = []
            for second in 1...seconds {
                try await Task.sleep(until: start + .seconds(second), clock: .continuous)
                let current = try await read()
                windows.append(
                    Window(
                        end: (current.at - start).seconds, stored: current.metrics.stored - previous.metrics.stored,
                        deleted: current.metrics.deleted - previous.metrics.deleted,
                        seconds: (current.at - previous.at).seconds))
                previous = current
            }
            return (windows, previous.metrics.deletedByKind)
        }
    }

    /// The two counters the line reads from the Prometheus text.
    struct Counters {
        var stored = 0.0
        var deletedByKind: [String: Double] = [:]
        var deleted: Double { deletedByKind.values.reduce(0, +) }

        init(_ text: String) {
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                else { continue }
                if line.hasPrefix("switchboard_webhooks_total{") && line.contains("outcome=\"stored\"") {
                    stored += value
                } else if line.hasPrefix("switchboard_retention_deleted_total{"),
                    let kind = line.split(separator: "\"").dropFirst().first
                {
                    deletedByKind[String(kind), default: 0] += value
                }
            }
        }
    }
}
