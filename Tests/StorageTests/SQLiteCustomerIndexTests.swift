import Foundation
import GRDB
import Switchboard
import Testing

@testable import Storage

/// Migration `v10-one-customer-index`: one index led by the customer's number replaces the two a new conversation
/// used to write (by channel and customer, by customer), and still serves every lookup by customer.
@Suite("SQLite customer index")
struct SQLiteCustomerIndexTests {
    @Test func aDatabaseOfTheOldSchemaKeepsItsConversationsFindableByCustomer() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        // A file as the previous release left it: migrated up to v9, with one customer in two channels.
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v9-outbound-provider-id-index")
        try await queue.write { db in
            for (id, channelID, created) in [("conv_a", "twilio-main", 1), ("conv_b", "vonage-eu", 2)] {
                try db.execute(
                    sql: """
                        INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, created_at)
                        VALUES (?, ?, 'sms', 'support', 'open', ?, ?)
                        """,
                    arguments: [id, channelID, customer, created])
            }
        }
        try queue.close()

        let store = try SQLiteStore(path: path)
        let (indexes, columns, entries) = try await store.read { db in
            let indexes = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversation'")
            let columns = try String.fetchAll(
                db, sql: "SELECT name FROM pragma_index_info('conversation_by_customer') ORDER BY seqno")
            let entries = try Int.fetchOne(
                db,
                sql: "SELECT sum(ncell) FROM dbstat WHERE name = 'conversation_by_customer' AND pagetype = 'leaf'")
            return (Set(indexes), columns, entries)
        }
        #expect(!indexes.contains("conversation_by_phone"), "\(indexes)")
        #expect(indexes.contains("conversation_by_customer"))
        #expect(columns == ["customer_phone", "channel_id", "created_at"])
        #expect(entries == 2)

        let everyChannel = try await store.conversations(matching: ConversationFilter(customerPhone: customer))
        #expect(everyChannel.map(\.id) == ["conv_b", "conv_a"])
        let oneChannel = try await store.conversations(
            matching: ConversationFilter(channelID: "twilio-main", customerPhone: customer))
        #expect(oneChannel.map(\.id) == ["conv_a"])
    }

    /// A customer's conversations in one channel come out of the index already in the API's order; erasing a
    /// customer finds every channel's through it too.
    @Test func lookupsByCustomerGoThroughTheIndex() async throws {
        let store = try SQLiteStore(path: ":memory:")
        let (listing, erasure) = try await store.read { db in
            func plan(_ sql: String) throws -> String {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: ["twilio-main", customer])
                    .map { row -> String in row["detail"] ?? "" }.joined(separator: "\n")
            }
            let listing = try plan(
                ConversationRows.select
                    + " WHERE c.channel_id = ? AND c.customer_phone = ? ORDER BY c.created_at DESC, c.rowid DESC LIMIT 100"
            )
            let erasure = try plan("SELECT id FROM conversation WHERE customer_phone = ?2")
            return (listing, erasure)
        }
        #expect(listing.contains("USING INDEX conversation_by_customer"), "\(listing)")
        #expect(!listing.contains("TEMP B-TREE"), "\(listing)")
        #expect(erasure.contains("USING INDEX conversation_by_customer (customer_phone=?)"), "\(erasure)")
    }
}
