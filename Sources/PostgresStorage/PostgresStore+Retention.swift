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
    /// made each batch step over all the conversations emptied before it.)
    public func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) async throws -> RetentionDeletion {
        let cutoff = cutoff.storedMilliseconds
        return try await transaction { db in
            var deletion = RetentionDeletion()
            while deletion.total < limit {
                let round = min(limit, 64)
                let candidates: [String] = try await db.rows(
                    """
                    SELECT c.id FROM conversation c
                    WHERE c.status = 'closed' AND c.closed_at < $1
                      AND (NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                        OR EXISTS (
                            SELECT 1 FROM message m
                            WHERE m.conversation_id = c.id
                              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)))
                    ORDER BY c.closed_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED
                    """, [cutoff, round]
                ).map { try $0.required("id") }
                let before = deletion.total
                for id in candidates where deletion.total < limit {
                    // Its messages (the status history goes with them: ON DELETE CASCADE), then itself once empty.
                    deletion.messages += try await db.run(
                        """
                        DELETE FROM message WHERE id IN (
                            SELECT m.id FROM message m
                            WHERE m.conversation_id = $1
                              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
                            LIMIT $2 FOR UPDATE OF m SKIP LOCKED)
                        RETURNING 1
                        """, [id, limit - deletion.total])
                    guard deletion.total < limit else { break }
                    deletion.conversations += try await db.run(
                        """
                        DELETE FROM conversation c
                        WHERE c.id = $1 AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id)
                        RETURNING 1
                        """, [id])
                }
                guard candidates.count == round, deletion.total > before else { break }
            }
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
