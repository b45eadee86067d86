import Foundation
import GRDB
import Testing

@testable import Storage

/// Under a writer that never pauses, the WAL starts over instead of growing without end (issue 18). Measures
/// real time (a checkpoint racing a writer), so it runs with the timed suites, alone.
@Suite("SQLite WAL restart under steady writes", .timeLimit(.minutes(2)))
struct WALRestartTests {
    @Test func theWALKeepsItsSizeWhenTheWriterFinishesTheCheckpoint() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let pool = try DatabasePool(path: path)
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        }
        let checkpointer = try WALCheckpointer(
            path: path, configuration: Configuration(), writer: pool, restartFrames: 64)
        let transactions = try Self.writeWithoutPause(to: pool, beside: checkpointer)
        #expect(checkpointer.writerCheckpointCount > 0)
        // Appended without end, the WAL would hold a frame (4 kB) or more per transaction.
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "-wal")
        let bytes = try #require((attributes[.size] as? NSNumber)?.intValue)
        #expect(bytes * 4 < transactions * 4_096, "WAL \(bytes) bytes after \(transactions) transactions")
    }

    /// One transaction after another without a pause, each a page or more, until the checkpointer has run
    /// twenty times (about two seconds): a checkpoint beside it never finds the WAL wholly copied. Returns
    /// how many transactions it wrote. (Synchronous: GRDB's blocking `write`, no suspension between them.)
    private static func writeWithoutPause(to pool: DatabasePool, beside checkpointer: WALCheckpointer) throws -> Int {
        let row = Data(repeating: 7, count: 100)
        let deadline = ContinuousClock.now + .seconds(60)
        var transactions = 0
        while checkpointer.checkpointCount < 20, ContinuousClock.now < deadline {
            try pool.write { db in try db.execute(sql: "INSERT INTO filler (data) VALUES (?)", arguments: [row]) }
            checkpointer.committed()
            transactions += 1
        }
        return transactions
    }
}
