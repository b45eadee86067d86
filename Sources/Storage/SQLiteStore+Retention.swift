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

    /// Conversation by conversation, oldest closed first: its messages (not replies still in the outbox), then the
    /// conversation itself once it has none left, in the same batch. A conversation emptied but left for later would
    /// stay at the front of the index for every following batch to step over (each batch slower than the last).
    public func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) async throws -> RetentionDeletion {
        let cutoff = cutoff.storedMilliseconds
        return try await write { db in
            var deletion = RetentionDeletion()
            while deletion.total < limit {
                let candidates = try Self.closedConversationsToSweep(db, before: cutoff, limit: min(limit, 64))
                let before = deletion.total
                for id in candidates where deletion.total < limit {
                    try db.run(
                        """
                        DELETE FROM message WHERE rowid IN (
                            SELECT m.rowid FROM message m
                            WHERE m.conversation_id = ? AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                            LIMIT ?)
                        """, [id, limit - deletion.total])
                    deletion.messages += db.changesCount
                    guard deletion.total < limit else { break }
                    try db.run(
                        """
                        DELETE FROM conversation
                        WHERE id = ? AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = ?)
                        """, [id, id])
                    deletion.conversations += db.changesCount
                }
                guard candidates.count == min(limit, 64), deletion.total > before else { break }
            }
            return deletion
        }
    }

    /// Closed conversations due, oldest first, that have something to delete: a message not held by the outbox, or
    /// no message at all (the conversation itself). Through `conversation_by_closed`: the planner would otherwise
    /// take `conversation_by_status` and sort every closed conversation.
    static func closedConversationsToSweep(_ db: Database, before cutoff: Int64, limit: Int) throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT c.id FROM conversation c INDEXED BY conversation_by_closed
                WHERE c.status = 'closed' AND c.closed_at < ?
                  AND (NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                    OR EXISTS (
                        SELECT 1 FROM message m
                        WHERE m.conversation_id = c.id AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)))
                ORDER BY c.closed_at LIMIT ?
                """, arguments: [cutoff, limit])
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
