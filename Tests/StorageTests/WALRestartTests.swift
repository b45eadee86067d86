import Foundation
import GRDB
import Testing

@testable import Storage

/// Under a writer that never pauses, the WAL starts over instead of growing without end (issue 18).
@Suite("SQLite WAL restart under steady writes", .timeLimit(.minutes(2)))
struct WALRestartTests {
    @Test func theWALKeepsItsSizeWhenTheWriterFinishesTheCheckpoint() async throws {
        let grown = try await walSize(afterSteadyWritesWithRestartFrames: Int.max)
        let restarted = try await walSize(afterSteadyWritesWithRestartFrames: 64)
        #expect(restarted.writerCheckpoints > 0)
        #expect(grown.writerCheckpoints == 0)
        // Without the writer's help the WAL holds (nearly) every frame written; with it, a few cycles' worth.
        let grownPerRow = Double(grown.bytes) / Double(grown.rows)
        let restartedPerRow = Double(restarted.bytes) / Double(restarted.rows)
        #expect(
            restartedPerRow * 3 < grownPerRow,
            "WAL bytes per row written: \(restartedPerRow) with the restart, \(grownPerRow) without")
    }

    /// Writes rows of 100 bytes, eight transactions in flight at a time, through a group commit with a
    /// checkpointer beside it, until the checkpointer has run twenty times; returns the WAL file's size, the rows
    /// written and how often the writer finished a checkpoint.
    private func walSize(
        afterSteadyWritesWithRestartFrames restartFrames: Int
    ) async throws -> (bytes: Int, rows: Int, writerCheckpoints: Int) {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let pool = try DatabasePool(path: path)
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        }
        let checkpointer = try WALCheckpointer(
            path: path, configuration: Configuration(), writer: pool, restartFrames: restartFrames)
        let commit = GroupCommit(writer: pool, afterTransaction: { checkpointer.committed() })
        let row = Data(repeating: 7, count: 100)
        let deadline = ContinuousClock.now + .seconds(60)
        let rows = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var rows = 0
                    while checkpointer.checkpointCount < 20, ContinuousClock.now < deadline {
                        try await commit.write { db in
                            try db.execute(sql: "INSERT INTO filler (data) VALUES (?)", arguments: [row])
                        }
                        rows += 1
                    }
                    return rows
                }
            }
            return try await group.reduce(0, +)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "-wal")
        let bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
        return (bytes, rows, checkpointer.writerCheckpointCount)
    }
}
