import Foundation
import GRDB
import Switchboard
import Synchronization
import Testing

@testable import Storage

/// How fast the retention sweep deletes on SQLite (a measurement, not a check): off unless
/// `SWITCHBOARD_MEASURE_RETENTION=<conversations>` is set, e.g.
/// `SWITCHBOARD_MEASURE_RETENTION=20000 swift test --skip-build --filter RetentionSweepRate`
/// (`SWITCHBOARD_MEASURE_RETENTION_PAUSE_MS`: the shortest pause between batches, default 2).
/// Each conversation is closed, with 10 messages (a status history row each) and 10 dedupe keys, all long expired.
@Suite("Retention sweep rate")
struct RetentionSweepRateTests {
    static let conversations = Int(ProcessInfo.processInfo.environment["SWITCHBOARD_MEASURE_RETENTION"] ?? "") ?? 0

    @Test(.enabled(if: conversations > 0)) func measureTheSweepOnSQLite() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        let messages = Self.conversations * 10
        try await store.writer.write { db in
            try Self.insertClosedConversations(db, count: Self.conversations, messagesEach: 10)
            try db.execute(
                sql: "INSERT INTO message_status_history (message_id, status, at) SELECT id, 'received', 0 FROM message"
            )
            try db.execute(
                sql: """
                    INSERT INTO dedupe_key (channel_id, kind, key, conversation_id, message_id, created_at)
                    SELECT 'twilio-main', 'inbound', provider_message_id, conversation_id, id, 0 FROM message
                    """)
        }
        let pause = Int(ProcessInfo.processInfo.environment["SWITCHBOARD_MEASURE_RETENTION_PAUSE_MS"] ?? "") ?? 2
        let sweeper = RetentionSweeper(
            store: store, settings: .init(closedConversationsDays: 1, dedupeDays: 2), pause: .milliseconds(pause))
        // Webhooks go on meanwhile: how long does one wait for its commit while the sweep runs, and without it?
        let quiet = SweepDone()
        let baselineTask = Self.ingest(into: store, prefix: "before", until: quiet)
        try await Task.sleep(for: .seconds(3))
        quiet.finish()
        let baseline = try await baselineTask.value
        let sweeping = SweepDone()
        let ingest = Self.ingest(into: store, prefix: "during", until: sweeping)
        let start = ContinuousClock.now
        let report = try await sweeper.sweep(now: Date())
        let elapsed = ContinuousClock.now - start
        sweeping.finish()
        let latencies = try await ingest.value
        let rows = report.messages + report.conversations + report.dedupeKeys
        #expect(report.messages == messages)
        #expect(report.conversations == Self.conversations)
        #expect(report.dedupeKeys == messages)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "retention sweep (batches of \(sweeper.batchSize), at least \(pause) ms apart): \(rows) rows (\(report.messages) messages + their history, \(report.conversations) "
                + "conversations, \(report.dedupeKeys) dedupe keys) in \(elapsed): \(Int(Double(rows) / seconds)) rows/s; "
                + "\(latencies.count) inbound messages stored meanwhile, latency p50 \(latencies[latencies.count / 2]), "
                + "p99 \(latencies[latencies.count * 99 / 100]), max \(latencies.last ?? .zero); without a sweep: "
                + "p50 \(baseline[baseline.count / 2]), p99 \(baseline[baseline.count * 99 / 100]), "
                + "max \(baseline.last ?? .zero)"
        )
    }

    /// `count` conversations closed long ago (in 1970, the `i`-th at `1000 + i` ms), `messagesEach` messages each.
    static func insertClosedConversations(_ db: Database, count: Int, messagesEach: Int) throws {
        try db.execute(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, created_at, closed_at)
                SELECT 'conv-' || i, 'twilio-main', 'sms', 'default', 'closed', '+1415' || printf('%07d', i), 0, 1000 + i
                FROM n
                """, arguments: [count])
        try db.execute(
            sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                INSERT INTO message (id, conversation_id, channel_id, direction, author, text, status,
                    provider_message_id, created_at, updated_at)
                SELECT 'msg-' || i, 'conv-' || (i / ?), 'twilio-main', 'inbound', 'customer',
                    'a message of ordinary length, number ' || i, 'received', 'SM' || i, 0, 0
                FROM n
                """, arguments: [count * messagesEach, messagesEach])
    }

    /// Stores an inbound message every 2 ms until `done`; returns each one's latency, sorted.
    static func ingest(into store: SQLiteStore, prefix: String, until done: SweepDone) -> Task<[Duration], any Error> {
        Task {
            var latencies: [Duration] = []
            var index = 0
            while !done.isDone {
                let started = ContinuousClock.now
                _ = try await store.recordInbound(inbound(key: "\(prefix)-\(index)", receivedAt: Date()))
                latencies.append(ContinuousClock.now - started)
                index += 1
                try await Task.sleep(for: .milliseconds(2))
            }
            return latencies.sorted()
        }
    }
}

/// Set once the sweep has finished.
final class SweepDone: Sendable {
    private let done = Mutex(false)
    var isDone: Bool { done.withLock { $0 } }
    func finish() { done.withLock { $0 = true } }
}
