import Foundation
import GRDB
import Logging
import Switchboard
import Testing

@testable import PostgresStorage
@testable import Storage

/// Erased data is gone from the database, not just hidden (CONTRACT.md §12): on SQLite its bytes are overwritten in
/// the file (`secure_delete`) and, once checkpointed, absent from the WAL; on PostgreSQL no row holds them.
@Suite("Erasure footprint")
struct ErasureFootprintTests {
    static let erased = ErasureConformanceTests.erased

    /// Many messages of the customer between another customer's, so that erasing leaves pages half used (the bytes
    /// would stay in their free space without `secure_delete`), and long ones that need overflow pages.
    static func seedMany(_ store: any Store) async throws {
        _ = try await ErasureConformanceTests.seed(store, optOut: false)
        for index in 0..<150 {
            let long = index % 10 == 0 ? String(repeating: " padding", count: 800) : ""
            _ = try await store.recordInbound(
                inbound(key: "many-\(index)", from: erased, text: "secret number \(index)\(long)", receivedAt: at(10)))
            _ = try await store.recordInbound(
                inbound(key: "other-\(index)", from: ErasureConformanceTests.other, text: "kept \(index)"))
        }
    }

    @Test func sqliteOverwritesTheErasedBytesInTheFileAndTheWAL() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        // Set on every connection by the store, whatever the SQLite build's default (Debian's is on already).
        #expect(try await store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
        #expect(try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
        try await Self.seedMany(store)
        try await Self.checkpoint(store)
        // The test would prove nothing if the bytes had never reached the file.
        #expect(try Self.occurrences(of: Self.erased, in: path) > 0)
        #expect(try Self.occurrences(of: "secret number", in: path) > 0)

        let result = try await store.eraseCustomer(Self.erased)
        #expect(result.messages == 153)
        try await Self.checkpoint(store)
        for needle in [Self.erased, "secret number", "first secret", "second secret", "agent answer"] {
            #expect(try Self.occurrences(of: needle, in: path) == 0, "\(needle) is still in \(path)")
            #expect(try Self.occurrences(of: needle, in: path + "-wal") == 0, "\(needle) is still in the WAL")
        }
        #expect(try Self.occurrences(of: "kept text", in: path) > 0)
        #expect(try await store.contacts(mobilePhoneE164: ErasureConformanceTests.other).count == 1)
    }

    @Test func postgresKeepsNoRowThatMentionsTheErasedCustomer() async throws {
        let database = try await PostgresTestDatabase.create()
        do {
            let store = try await database.open()
            try await Self.seedMany(store)
            let conversations = try await store.conversations(
                matching: .init(customerPhone: Self.erased)
            ).map(\.id)
            let needles = [Self.erased, "secret number", "first secret", "agent answer"] + conversations
            #expect(try await Self.rowsMentioning(needles, store) > 0)
            _ = try await store.eraseCustomer(Self.erased)
            #expect(try await Self.rowsMentioning(needles, store) == 0)
            #expect(try await Self.rowsMentioning(["kept text"], store) > 0)
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }

    // MARK: Helpers

    /// Copies the whole WAL into the file and empties it (`TRUNCATE`), retrying while the store's own checkpointer
    /// is busy.
    static func checkpoint(_ store: SQLiteStore) async throws {
        for _ in 0..<50 {
            let busy = try await store.writer.barrierWriteWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") ?? 1
            }
            if busy == 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw UnexpectedOutcome(description: "wal_checkpoint(TRUNCATE) stayed busy")
    }

    static func occurrences(of needle: String, in path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return 0 }
        var count = 0
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if Array(bytes[start..<start + pattern.count]) == pattern { count += 1 }
        }
        return count
    }

    /// Rows of every table but `opt_out` (kept on purpose) and the remote core's outbox whose text contains a needle.
    static func rowsMentioning(_ needles: [String], _ store: PostgresStore) async throws -> Int {
        let tables = [
            "contact", "conversation", "message", "message_status_history", "dedupe_key", "pending_delivery_report",
            "outbox", "concatenation_part", "agent_event", "replay_nonce",
        ]
        return try await store.read { db in
            var total = 0
            for table in tables {
                let row = try await db.row(
                    """
                    SELECT count(*) AS n FROM \(table) t
                    WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS x (needle) WHERE strpos(t::text, x.needle) > 0)
                    """, [needles])
                let count: Int64 = try row?.required("n") ?? 0
                total += Int(count)
            }
            return total
        }
    }
}
