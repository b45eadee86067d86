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

    public func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) async throws -> RetentionDeletion {
        let cutoff = cutoff.storedMilliseconds
        return try await transaction { db in
            var deletion = RetentionDeletion(
                messages: try await db.run(
                    """
                    DELETE FROM message WHERE id IN (
                        SELECT m.id FROM conversation c JOIN message m ON m.conversation_id = c.id
                        WHERE c.status = 'closed' AND c.closed_at < $1
                          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                        LIMIT $2 FOR UPDATE OF m SKIP LOCKED)
                    RETURNING 1
                    """, [cutoff, limit]))
            guard deletion.messages < limit else { return deletion }
            deletion.conversations = try await db.run(
                """
                DELETE FROM conversation WHERE id IN (
                    SELECT c.id FROM conversation c
                    WHERE c.status = 'closed' AND c.closed_at < $1
                      AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                    ORDER BY c.closed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, [cutoff, limit - deletion.messages])
            return deletion
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
