import Foundation
import GRDB
import Switchboard
import Testing

@testable import Storage

/// What is particular to the SQLite store: opening, URLs, WAL, locking between processes.
@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test func parsesDatabaseURLs() throws {
        #expect(try SQLiteStore.path(fromURL: "sqlite:./switchboard.sqlite") == "./switchboard.sqlite")
        #expect(
            try SQLiteStore.path(fromURL: "sqlite:/var/lib/switchboard/db.sqlite") == "/var/lib/switchboard/db.sqlite")
        #expect(try SQLiteStore.path(fromURL: "sqlite:///var/lib/db.sqlite") == "/var/lib/db.sqlite")
        #expect(try SQLiteStore.path(fromURL: "sqlite::memory:") == ":memory:")
        #expect(throws: SwitchboardError.self) { try SQLiteStore.path(fromURL: "postgres://u:p@db/switchboard") }
        #expect(throws: SwitchboardError.self) { try SQLiteStore.path(fromURL: "sqlite:") }
    }

    /// Only outbound messages are in the provider-id index (inbound ones, every webhook, no longer write it), and
    /// a delivery report's lookup still goes through it.
    @Test func theProviderIDIndexHoldsOutboundMessagesAndServesDeliveryReports() async throws {
        let store = try SQLiteStore(path: ":memory:")
        _ = try await stored(inbound(key: "SM-in-1"), in: store)
        let (plan, indexed, inboundWithID) = try await store.read { db in
            let plan = try Row.fetchAll(
                db,
                sql: "EXPLAIN QUERY PLAN SELECT id FROM message "
                    + "WHERE channel_id = ? AND provider_message_id = ? AND direction = 'outbound'",
                arguments: ["twilio-main", "SM-out-1"]
            ).map { row -> String in row["detail"] ?? "" }.joined(separator: "\n")
            // The entries the index holds, read from its pages.
            let indexed = try Int.fetchOne(
                db,
                sql:
                    "SELECT coalesce(sum(ncell), 0) FROM dbstat WHERE name = 'message_by_provider_id' AND pagetype = 'leaf'"
            )
            let inbound = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM message WHERE direction = 'inbound' AND provider_message_id IS NOT NULL")
            return (plan, indexed, inbound)
        }
        #expect(plan.contains("USING INDEX message_by_provider_id"), "\(plan)")
        #expect(inboundWithID == 1)
        #expect(indexed == 0)
    }

    @Test func openURLCreatesFileInWALMode() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore.open(url: "sqlite:" + path)
        #expect(store.path == path)
        _ = try await stored(inbound(key: "k1"), in: store)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func migrationsAreNamedAndAppliedOnce() async throws {
        #expect(
            SQLiteStore.migrationNames == [
                "v1-initial-schema", "v2-replay-nonces", "v3-concatenation-parts", "v4-core-notification-outbox",
                "v5-core-events", "v6-retention-and-erasure-indexes", "v7-routing-decisions", "v8-work-items",
                "v9-outbound-provider-id-index", "v10-one-customer-index",
            ])
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let conversation = try await openConversation(in: SQLiteStore(path: path))
        // Reopening an up-to-date file migrates nothing and loses nothing.
        #expect(try await SQLiteStore(path: path).conversation(id: conversation.id) == conversation)
    }

    @Test func unopenablePathIsUnavailable() async {
        await expectSwitchboardError(status: 503, code: "unavailable") {
            _ = try SQLiteStore(path: "/nonexistent-switchboard-dir/sub/db.sqlite")
        }
    }

    @Test func lockedDatabaseIsUnavailableThenRecovers() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let holder = try SQLiteStore(path: path)
        let blocked = try SQLiteStore(path: path, options: .init(busyTimeout: 0.05))
        let release = DispatchSemaphore(value: 0)
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()

        // Another connection (another process, in production) holds the write lock.
        let holding = Task {
            try await holder.write { _ in
                startedContinuation.yield()
                release.wait()
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        await expectSwitchboardError(status: 503, code: "unavailable") {
            _ = try await blocked.recordInbound(inbound(key: "k1"))
        }
        release.signal()
        try await holding.value

        let (_, _, opened) = try await stored(inbound(key: "k1"), in: blocked)
        #expect(opened)
    }

    @Test func twoConnectionsToOneFileStillOpenOneConversation() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let stores = [try SQLiteStore(path: path), try SQLiteStore(path: path)]
        let conversationIDs = try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<20 {
                let store = stores[index % 2]
                group.addTask {
                    guard
                        case .stored(let conversation, _, _) = try await store.recordInbound(inbound(key: "k\(index)"))
                    else { return nil }
                    return conversation.id
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(conversationIDs.compactMap { $0 }.count == 20)
        #expect(Set(conversationIDs).count == 1)
        #expect(try await stores[1].conversations(matching: ConversationFilter()).count == 1)
    }
}
