import Dispatch
import Foundation
import GRDB
import Switchboard
import Synchronization
import Testing

@testable import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// Concurrent writes of the SQLite store share transactions, and stay independent of each other's failures.
@Suite("SQLite group commit", .timeLimit(.minutes(1)))
struct GroupCommitTests {
    /// Holds the store's writer busy in one transaction until `release()`, so that writes submitted meanwhile
    /// are all pending together when it ends.
    final class WriterHold: Sendable {
        let task: Task<Void, any Error>
        private let gate = DispatchSemaphore(value: 0)

        init(_ store: SQLiteStore) async {
            let (started, startedContinuation) = AsyncStream<Void>.makeStream()
            let gate = gate
            task = Task {
                try await store.write { _ in
                    startedContinuation.yield()
                    // Blocks GRDB's writer queue (not a cooperative thread) until the test has queued its writes.
                    gate.wait()
                }
            }
            var iterator = started.makeAsyncIterator()
            _ = await iterator.next()
        }

        func release() async throws {
            gate.signal()
            try await task.value
        }
    }

    /// Waits (bounded) until `count` writes are queued behind the held transaction.
    func waitUntilPending(_ count: Int, in store: SQLiteStore) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while store.groupCommit.pendingCount < count {
            guard ContinuousClock.now < deadline else {
                throw UnexpectedOutcome(description: "only \(store.groupCommit.pendingCount) of \(count) writes queued")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// `count` inbound messages from as many customers, submitted at once.
    func recordConcurrently(_ count: Int, in store: SQLiteStore) -> Task<[InboundOutcome], any Error> {
        Task {
            try await withThrowingTaskGroup(of: InboundOutcome.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await store.recordInbound(inbound(key: "k\(index)", from: "+1415555\(1000 + index)"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
    }

    @Test func concurrentWritesShareOneTransaction() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        let writers = 50
        let hold = await WriterHold(store)
        let before = store.groupCommit.transactionCount

        let outcomes = recordConcurrently(writers, in: store)
        try await waitUntilPending(writers, in: store)
        try await hold.release()
        let results = try await outcomes.value

        #expect(results.count == writers)
        #expect(results.allSatisfy { if case .stored = $0 { true } else { false } })
        // The held transaction, then all 50 in one.
        #expect(store.groupCommit.transactionCount - before == 2)
        #expect(try await store.conversations(matching: ConversationFilter()).count == writers)
    }

    /// The first write schedules a transaction while the writer queue is busy with something that is not a
    /// transaction of ours (a checkpoint the writer finishes, a backup): the writes submitted before the writer
    /// gets to it join that transaction instead of waiting for another.
    @Test func writesSubmittedBeforeTheWriterStartsJoinTheTransaction() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        let writers = 3
        let gate = DispatchSemaphore(value: 0)
        let (blocked, blockedContinuation) = AsyncStream<Void>.makeStream()
        store.writer.asyncWriteWithoutTransaction { _ in
            blockedContinuation.yield()
            gate.wait()
        }
        var iterator = blocked.makeAsyncIterator()
        _ = await iterator.next()
        let before = store.groupCommit.transactionCount

        let outcomes = recordConcurrently(writers, in: store)
        // All three wait, the first's transaction included: none is taken before the writer starts it.
        try await waitUntilPending(writers, in: store)
        gate.signal()
        let results = try await outcomes.value

        #expect(results.allSatisfy { if case .stored = $0 { true } else { false } })
        #expect(store.groupCommit.transactionCount - before == 1)
        #expect(try await store.conversations(matching: ConversationFilter()).count == writers)
    }

    @Test func aFailingWriteRollsBackAloneAndGetsItsOwnError() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        let hold = await WriterHold(store)

        let first = Task { try await store.recordInbound(inbound(key: "k1", from: "+14155551001")) }
        try await waitUntilPending(1, in: store)
        let failing = Task {
            try await store.write { db in
                // Its first change must be rolled back with it; the second violates the primary key.
                try db.execute(sql: "INSERT INTO opt_out VALUES ('twilio-main', '+14155551002', 1)")
                try db.execute(sql: "INSERT INTO opt_out VALUES ('twilio-main', '+14155551003', 1)")
                try db.execute(sql: "INSERT INTO opt_out VALUES ('twilio-main', '+14155551003', 2)")
            }
        }
        try await waitUntilPending(2, in: store)
        let thrown = Task {
            try await store.write { _ in throw UnexpectedOutcome(description: "thrown by the operation") }
        }
        try await waitUntilPending(3, in: store)
        let last = Task { try await store.recordInbound(inbound(key: "k2", from: "+14155551004")) }
        try await waitUntilPending(4, in: store)
        let before = store.groupCommit.transactionCount
        try await hold.release()

        guard case .stored = try await first.value, case .stored = try await last.value else {
            Issue.record("the writes beside the failing ones were not stored")
            return
        }
        await #expect {
            try await failing.value
        } throws: { error in
            (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
        }
        await #expect {
            try await thrown.value
        } throws: { error in
            (error as? UnexpectedOutcome)?.description == "thrown by the operation"
        }
        // The held transaction, then the four without savepoints (rolled back at the first failure), then the four
        // again, each in its savepoint.
        #expect(store.groupCommit.transactionCount - before == 3)
        #expect(try await store.isOptedOut(channelID: "twilio-main", customer: "+14155551002") == false)
        #expect(try await store.isOptedOut(channelID: "twilio-main", customer: "+14155551003") == false)
        #expect(try await store.conversations(matching: ConversationFilter()).count == 2)
    }

    /// Operations sharing a transaction run once each, without savepoints, while none fails; after a failure the
    /// transaction is rolled back and they run again, each in its savepoint, and what they return then is what
    /// their callers get.
    @Test func operationsRunOnceWithoutSavepointsAndAgainInThemAfterAFailure() async throws {
        let store = try SQLiteStore(path: ":memory:")
        let runs = RunCounts()
        func insert(_ customer: String, failing: Bool = false) -> Task<Int, any Error> {
            Task {
                try await store.write { db in
                    let run = runs.count(customer)
                    try db.execute(sql: "INSERT INTO opt_out VALUES ('twilio-main', ?, 1)", arguments: [customer])
                    if failing { throw UnexpectedOutcome(description: "\(customer) fails") }
                    return run
                }
            }
        }
        for round in ["ok", "failing"] {
            let hold = await WriterHold(store)
            let first = insert("+1415555\(round == "ok" ? 1001 : 2001)")
            try await waitUntilPending(1, in: store)
            let second = insert("+1415555\(round == "ok" ? 1002 : 2002)", failing: round == "failing")
            try await waitUntilPending(2, in: store)
            let third = insert("+1415555\(round == "ok" ? 1003 : 2003)")
            try await waitUntilPending(3, in: store)
            let before = store.groupCommit.transactionCount
            try await hold.release()
            if round == "ok" {
                #expect(try await [first.value, second.value, third.value] == [1, 1, 1])
                #expect(store.groupCommit.transactionCount - before == 2)
            } else {
                // The first ran twice (its result is the second run's), the failing one twice, the third once:
                // the transaction without savepoints ended at the failure.
                #expect(try await first.value == 2)
                await #expect(throws: UnexpectedOutcome.self) { try await second.value }
                #expect(try await third.value == 1)
                #expect(runs.count(of: "+14155552002") == 2)
                #expect(store.groupCommit.transactionCount - before == 3)
            }
        }
        for (customer, optedOut) in [
            ("+14155551001", true), ("+14155551002", true), ("+14155551003", true), ("+14155552001", true),
            ("+14155552002", false), ("+14155552003", true),
        ] {
            #expect(try await store.isOptedOut(channelID: "twilio-main", customer: customer) == optedOut, "\(customer)")
        }
    }

    /// How many times each operation ran, by key.
    final class RunCounts: Sendable {
        private let counts = Mutex([String: Int]())

        /// Counts one more run of `key` and returns how many there have been.
        func count(_ key: String) -> Int {
            counts.withLock { counts in
                counts[key, default: 0] += 1
                return counts[key]!
            }
        }

        func count(of key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
    }

    /// Alone in its transaction a write has no savepoint: its failure rolls the whole transaction back.
    @Test func aLoneFailingWriteRollsBackItsChangesAndTheWriterGoesOn() async throws {
        let store = try SQLiteStore(path: ":memory:")
        await #expect {
            try await store.write { db in
                try db.execute(sql: "INSERT INTO opt_out VALUES ('twilio-main', '+14155551002', 1)")
                try db.execute(sql: "INSERT INTO opt_out VALUES ('twilio-main', '+14155551002', 2)")
            }
        } throws: { error in
            (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT
        }
        #expect(try await store.isOptedOut(channelID: "twilio-main", customer: "+14155551002") == false)
        _ = try await stored(inbound(key: "k1"), in: store)
        #expect(try await store.conversations(matching: ConversationFilter()).count == 1)
    }

    @Test func aLoneWriteCommitsAtOnce() async throws {
        let store = try SQLiteStore(path: ":memory:")
        let before = store.groupCommit.transactionCount
        for index in 0..<3 { _ = try await stored(inbound(key: "k\(index)"), in: store) }
        #expect(store.groupCommit.transactionCount - before == 3)
    }

    @Test(arguments: [(SQLiteStore.Synchronous.normal, 1), (.full, 2)])
    func synchronousLevelIsSetOnTheWriter(_ level: SQLiteStore.Synchronous, pragma: Int) async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path, options: .init(synchronous: level))
        #expect(try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == pragma)
        #expect(try await store.write { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test func checkpointsRunBesideTheWriterNotInsideCommits() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        let checkpointer = try #require(store.checkpointer)
        #expect(try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
        let before = checkpointer.checkpointCount
        // Right after the checkpoint of the write above: this one's comes once the interval has passed.
        _ = try await stored(inbound(key: "k1"), in: store)
        let deadline = ContinuousClock.now + .seconds(20)
        while checkpointer.checkpointCount < before + 1 || checkpointer.isBusy, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(checkpointer.checkpointCount > before)
        // Every page is in the database file: a copy of it alone, without the WAL, has the message.
        let copy = temporaryDatabasePath()
        defer { removeDatabaseFiles(copy) }
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        #expect(try await SQLiteStore(path: copy).conversations(matching: ConversationFilter()).count == 1)
    }

    /// Every operation of a shared transaction runs in a savepoint, whose journal holds the pages the operation
    /// changed: past 64 kB SQLite would spill it into a temporary file, a `pwrite` per page.
    @Test func savepointJournalsStayInMemory() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        try await store.write { db in
            try db.execute(sql: "CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB)")
            for id in 0..<200 {
                try db.execute(sql: "INSERT INTO filler VALUES (?, zeroblob(2000))", arguments: [id])
            }
        }
        let (before, during) = try await store.write { db in
            // Other tests' connections in this process may hold temporary files of their own: only new ones count.
            let before = Self.openSQLiteTemporaryFiles()
            // About 100 pages (400 kB) changed inside one savepoint; its journal is open until the transaction ends.
            try OperationSavepoint.run(db) { try db.execute(sql: "UPDATE filler SET data = zeroblob(2001)") }
            return (before, Self.openSQLiteTemporaryFiles())
        }
        #expect(during.subtracting(before) == [])
        #expect(try await store.write { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM filler") } == 200)
    }

    /// The files this process holds open that SQLite created as temporary files (named `etilqs_…`).
    ///
    /// Read with `readdir` and each entry's name up to its NUL, not Foundation's listing: copying an entry's whole
    /// 256-byte name reads past glibc's buffer now and then (ServerTests' `SpawnedProcess` says where that crashed a parallel
    /// run), and this test runs in the parallel suite.
    static func openSQLiteTemporaryFiles() -> Set<String> {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var targets: Set<String> = []
        var buffer = [CChar](repeating: 0, count: 4_096)
        while let entry = readdir(directory) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            let length = readlink("/proc/self/fd/\(name)", &buffer, buffer.count)
            guard length > 0 else { continue }  // ".", "..", or closed meanwhile
            let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.contains("etilqs_") { targets.insert(target) }
        }
        return targets
    }
}
