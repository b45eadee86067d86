import Foundation
import GRDB
import Switchboard
import Testing

@testable import Storage

/// The SQLite sweep of closed conversations goes conversation by conversation: each one with its last messages in
/// the same batch (`RetentionConformanceTests.aConversationGoesInTheBatchThatDeletesItsLastMessages` for both
/// stores). Before, conversations were deleted only once every due conversation had lost its messages, so each
/// batch stepped over all the conversations emptied before it (`SwitchboardBench retention`: ever slower batches
/// over about 48,000 conversations, each holding the writer longer).
@Suite("SQLite retention batches")
struct SQLiteRetentionBatchTests {
    @Test func noBatchLeavesAnEmptiedConversationForTheNext() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let store = try SQLiteStore(path: path)
        let conversations = 300
        try await store.writer.write { db in
            try RetentionSweepRateTests.insertClosedConversations(db, count: conversations, messagesEach: 7)
        }
        var deleted = RetentionDeletion()
        while true {
            let batch = try await store.deleteClosedConversations(closedBefore: Date(), limit: 50)
            deleted.messages += batch.messages
            deleted.conversations += batch.conversations
            // At most the one conversation whose messages filled the batch is left without messages.
            let emptied = try await store.writer.read { db in
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM conversation c
                        WHERE NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                        """) ?? 0
            }
            #expect(emptied <= 1)
            if batch.total < 50 { break }
        }
        #expect(deleted == RetentionDeletion(conversations: conversations, messages: conversations * 7))
    }
}
