import Foundation
import GRDB
import Switchboard

// The retention sweep's deletes (CONTRACT.md §12): each call one savepoint of a shared write, at most `limit` rows,
// picked oldest first through the time indexes of migration v6.

extension SQLiteStore {
    public func deleteMessages(createdBefore cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.storedMilliseconds
        return try await write { db in
            // The status history goes with its message (ON DELETE CASCADE).
            try db.run(
                """
                DELETE FROM message WHERE rowid IN (
                    SELECT m.rowid FROM message m
                    WHERE m.created_at < ? AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                    ORDER BY m.created_at LIMIT ?)
                """, [cutoff, limit])
            return db.changesCount
        }
    }

    public func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) async throws -> RetentionDeletion {
        let cutoff = cutoff.storedMilliseconds
        return try await write { db in
            try db.run(
                """
                DELETE FROM message WHERE rowid IN (
                    SELECT m.rowid FROM conversation c JOIN message m ON m.conversation_id = c.id
                    WHERE c.status = 'closed' AND c.closed_at < ?
                      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                    LIMIT ?)
                """, [cutoff, limit])
            var deletion = RetentionDeletion(messages: db.changesCount)
            guard deletion.messages < limit else { return deletion }
            try db.run(
                """
                DELETE FROM conversation WHERE rowid IN (
                    SELECT c.rowid FROM conversation c
                    WHERE c.status = 'closed' AND c.closed_at < ?
                      AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                    ORDER BY c.closed_at LIMIT ?)
                """, [cutoff, limit - deletion.messages])
            deletion.conversations = db.changesCount
            return deletion
        }
    }

    public func deleteDedupeKeys(createdBefore cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.storedMilliseconds
        return try await write { db in
            // WITHOUT ROWID: the primary key picks the rows.
            try db.run(
                """
                DELETE FROM dedupe_key WHERE (channel_id, kind, key) IN (
                    SELECT channel_id, kind, key FROM dedupe_key WHERE created_at < ? ORDER BY created_at LIMIT ?)
                """, [cutoff, limit])
            return db.changesCount
        }
    }

    public func deleteReplayNonces(seenBefore cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.storedMilliseconds
        return try await write { db in
            try db.run(
                """
                DELETE FROM replay_nonce WHERE (channel_id, nonce) IN (
                    SELECT channel_id, nonce FROM replay_nonce WHERE seen_at < ? ORDER BY seen_at LIMIT ?)
                """, [cutoff, limit])
            return db.changesCount
        }
    }
}
