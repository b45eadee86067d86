import Foundation
import PostgresNIO
import Switchboard

/// The statements of a batch of inbound messages (``PostgresStore/recordInbound(_:)`` under load): each does
/// for every message of the batch what ``PostgresStore/recordInbound(_:_:)`` does for one, with arrays for
/// parameters, so that a batch costs a handful of round trips and one `COMMIT` whatever its size.
///
/// Statements that read a table by the arrays (``FindKeys``, ``Contacts``, ``OpenLocked``, ``InsertMessages``'s
/// link of the keys) are not prepared: a plan made once for arrays of unknown length and tables of the size they
/// had then scanned every open conversation at each batch once the table had grown (18 ms a batch at 7,000
/// conversations, and 13 ms a call measured again with `pg_stat_statements`: the bench's tables grow faster than
/// autovacuum analyses them, so the cached plan is never made again); planned at each batch with its arrays, they
/// use the indexes. Those that only insert the arrays' rows (``ClaimKeys``, ``InsertOpen``,
/// ``EnqueueConversations``, ``InsertEvents``) have one plan whatever the tables hold and are prepared: no parse
/// and plan at each batch.
///
/// Rows are written and locked in one order (keys, then conversations by id, then new conversations by
/// customer), so two batches (of this instance or another) wanting the same rows wait for each other rather than
/// deadlock; a deadlock or any other failure rolls the whole batch back and its calls run one by one.
enum InboundBatchRows {
    /// Claims the dedupe keys (channel, key) of the batch, sorted; returns those that were free.
    enum ClaimKeys: PreparedSQL {
        static let sql = """
            INSERT INTO dedupe_key (channel_id, kind, key, created_at)
            SELECT channel_id, 'inbound', key, created_at
            FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(channel_id, key, created_at)
            ON CONFLICT DO NOTHING
            RETURNING channel_id, key
            """
    }

    /// What earlier deliveries of the keys produced (the keys a batch found taken).
    enum FindKeys {
        static let sql = """
            SELECT d.channel_id, d.key, d.conversation_id, d.message_id
            FROM dedupe_key d JOIN unnest($1::text[], $2::text[]) AS u(channel_id, key)
                ON d.channel_id = u.channel_id AND d.kind = 'inbound' AND d.key = u.key
            """
    }

    /// Gives back a key claimed for an event its replay guard refused.
    enum ReleaseKey {
        static let sql = "DELETE FROM dedupe_key WHERE channel_id = $1 AND kind = 'inbound' AND key = $2"
    }

    /// The contacts with any of the E.164 numbers, oldest first.
    enum Contacts {
        static let sql = """
            SELECT \(ContactRows.columns) FROM contact WHERE mobile_phone_e164 = ANY($1::text[])
            ORDER BY created_at, seq
            """
    }

    /// The open conversations of the (channel, customer) pairs, locked in id order.
    enum OpenLocked {
        static let sql =
            ConversationRows.select + """

                WHERE c.status = 'open' AND (c.channel_id, c.customer_phone) IN (
                    SELECT channel_id, customer_phone FROM unnest($1::text[], $2::text[]) AS u(channel_id, customer_phone))
                ORDER BY c.id
                FOR UPDATE OF c
                """
    }

    /// Opens conversations (one per customer, sorted by channel and customer); returns the ids inserted: a
    /// customer another transaction opened one for in the meantime is left out.
    enum InsertOpen: PreparedSQL {
        static let sql = """
            INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, contact_id,
                match_count, candidate_ids, assigned_agent, context_json, created_at, closed_at)
            SELECT id, channel_id, medium, queue, 'open', customer_phone, NULLIF(contact_id, ''), match_count,
                candidate_ids, NULL, NULL, created_at, NULL
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                $8::text[], $9::bigint[])
                AS u(id, channel_id, medium, queue, customer_phone, contact_id, match_count, candidate_ids, created_at)
            ON CONFLICT (channel_id, customer_phone) WHERE status = 'open' DO NOTHING
            RETURNING id
            """
    }

    /// Inserts the messages in the batch's order with their first status, and links each dedupe key to what
    /// it produced. (The history rows reference the messages: foreign keys are checked at the statement's end.)
    enum InsertMessages {
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                    $7::text[], $8::bigint[], $9::text[])
                    WITH ORDINALITY AS u(id, conversation_id, channel_id, author, text, media, provider_message_id,
                        created_at, key, n)
            ), inserted AS (
                INSERT INTO message (id, conversation_id, channel_id, direction, author, agent_id, text, media,
                    status, error_code, error_message, provider_message_id, created_at, updated_at)
                SELECT id, conversation_id, channel_id, 'inbound', author, NULL, text, media, 'received', NULL, NULL,
                    provider_message_id, created_at, created_at
                FROM input ORDER BY n
                RETURNING id
            ), linked AS (
                UPDATE dedupe_key d SET conversation_id = i.conversation_id, message_id = i.id
                FROM input i WHERE d.channel_id = i.channel_id AND d.kind = 'inbound' AND d.key = i.key
            )
            INSERT INTO message_status_history (message_id, status, error_code, error_message, at)
            SELECT id, 'received', NULL, NULL, created_at FROM input ORDER BY n
            """
    }

    /// Remote core mode: a queue row for each conversation with new events (sorted; one already there keeps its
    /// time), then the events in order (CoreEventRows.insert, for a batch).
    enum EnqueueConversations: PreparedSQL {
        static let sql = """
            INSERT INTO core_queue (conversation_id, next_attempt_at)
            SELECT conversation_id, next_attempt_at FROM unnest($1::text[], $2::bigint[]) AS u(conversation_id, next_attempt_at)
            ORDER BY conversation_id
            ON CONFLICT (conversation_id) DO UPDATE SET next_attempt_at = core_queue.next_attempt_at
            """
    }

    enum InsertEvents: PreparedSQL {
        static let sql = """
            INSERT INTO core_event (id, conversation_id, type, body, created_at)
            SELECT id, conversation_id, type, body, created_at
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
                WITH ORDINALITY AS u(id, conversation_id, type, body, created_at, n)
            ORDER BY n
            ON CONFLICT (id) DO NOTHING
            """
    }
}
