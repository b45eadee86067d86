import Foundation
import PostgresNIO
import Switchboard

// The retention sweep's deletes (CONTRACT.md §12): each call one short transaction, at most `limit` rows, picked
// oldest first through the time indexes of migration v6. Rows another transaction holds are skipped (`SKIP
// LOCKED`): the next round takes them, and the sweep never waits behind a webhook.

extension PostgresStore {
    public func deleteMessages(createdBefore cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.storedMilliseconds
        return try await transaction { db in
            // The status history goes with its message (ON DELETE CASCADE).
            try await db.run(
                """
                DELETE FROM message WHERE id IN (
                    SELECT m.id FROM message m
                    WHERE m.created_at < $1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                    ORDER BY m.created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, [cutoff, limit])
        }
    }

    /// Conversation by conversation, oldest closed first, as the SQLite store does: each conversation goes in the
    /// batch that deletes its last messages. (Deleting conversations only once every due one had lost its messages
    /// made each batch step over all the conversations emptied before it.) The loop runs in the server
    /// (`switchboard_sweep_closed_conversations`, migration v11): one round trip a batch instead of two a
    /// conversation.
    public func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) async throws -> RetentionDeletion {
        let cutoff = cutoff.storedMilliseconds
        return try await transaction { db in
            guard
                let row = try await db.row(
                    """
                    SELECT deleted_conversations, deleted_messages
                    FROM switchboard_sweep_closed_conversations($1, $2)
                    """, [cutoff, Int64(max(0, limit))])
            else { return RetentionDeletion() }
            let conversations: Int64 = try row.required("deleted_conversations")
            let messages: Int64 = try row.required("deleted_messages")
            return RetentionDeletion(conversations: Int(conversations), messages: Int(messages))
        }
    }

    public func deleteDedupeKeys(createdBefore cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.storedMilliseconds
        return try await transaction { db in
            try await db.run(
                """
                DELETE FROM dedupe_key WHERE (channel_id, kind, key) IN (
                    SELECT channel_id, kind, key FROM dedupe_key WHERE created_at < $1
                    ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, [cutoff, limit])
        }
    }

    public func deleteReplayNonces(seenBefore cutoff: Date, limit: Int) async throws -> Int {
        let cutoff = cutoff.storedMilliseconds
        return try await transaction { db in
            try await db.run(
                """
                DELETE FROM replay_nonce WHERE (channel_id, nonce) IN (
                    SELECT channel_id, nonce FROM replay_nonce WHERE seen_at < $1
                    ORDER BY seen_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, [cutoff, limit])
        }
    }
}
