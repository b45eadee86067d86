import Foundation
import PostgresNIO
import Switchboard

/// The statements of a batch of inbound messages (``PostgresStore/recordInbound(_:)`` under load): each does
/// for every message of the batch what ``PostgresStore/recordInbound(_:_:)`` does for one, with arrays for
/// parameters, so that a batch costs a handful of round trips and one `COMMIT` whatever its size.
///
/// Statements that read a table by the arrays and whose plan depends on the tables (``FindKeys``, ``LinkKeys``)
/// are not prepared: a plan made once for arrays of unknown length and tables of the size they had
/// then scanned a whole table at each batch once it had grown (18 ms a batch at 7,000 conversations: the bench's
/// tables grow faster than autovacuum analyses them, so the cached plan is never made again); planned at each
/// batch with its arrays, they use the indexes. Those with one plan whatever the tables hold (``ClaimKeys``,
/// ``Store``, and the core events' ``CoreEventRows``), and ``ContactsAndOpen`` once the tables have
/// statistics, are prepared: no parse and plan at each batch.
///
/// Rows are written and locked in one order (open conversations by customer, then keys, then new conversations
/// by customer; a replay guard's keys before all), so two batches (of this instance or another) wanting the same
/// rows wait for each other rather than deadlock; a deadlock or any other failure rolls the whole batch back and
/// its calls run one by one.
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

    /// The contacts with any of the E.164 numbers `$3` (`part` `contact`, columns `k_*`, oldest first), then the
    /// open conversations of the (channel, customer) pairs `$1`, `$2` (`part` `open`), which come sorted, locked
    /// in that order: one round trip for the two. Each pair is looked up on its own (the lateral subquery is not
    /// merged into a join), by `conversation_one_open` once the table has statistics (``GrowthAnalysis``); the
    /// join it replaces compared every open conversation with every pair when the planner guessed (2.6 ms a batch
    /// at 13,000 open conversations, `auto_explain` in the bench). The contacts by the `(mobile_phone_e164,
    /// created_at, seq)` index once `contact` has statistics, which ``GrowthAnalysis`` sees to after an import.
    /// One plan whatever the tables hold once they have statistics: prepared (planning the contacts' lookup at
    /// every batch took nine times as long as running it, `pg_stat_statements` with `track_planning`).
    enum ContactsAndOpen: PreparedSQL {
        static let sql = """
            SELECT 'open' AS part, u.n AS position, 0::bigint AS seq,
                   c.id, c.channel_id, c.medium, c.queue, c.status, c.customer_phone, c.contact_id, c.match_count,
                   c.candidate_ids, c.assigned_agent, c.context_json, c.created_at, c.closed_at,
                   k.id AS k_id, k.name AS k_name, k.mobile_phone AS k_mobile_phone,
                   k.mobile_phone_e164 AS k_mobile_phone_e164, k.region AS k_region, k.attributes AS k_attributes,
                   k.created_at AS k_created_at
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(channel_id, customer_phone, n)
            CROSS JOIN LATERAL (
                SELECT * FROM conversation o
                WHERE o.channel_id = u.channel_id AND o.customer_phone = u.customer_phone AND o.status = 'open'
                FOR UPDATE
            ) c
            LEFT JOIN contact k ON k.id = c.contact_id
            UNION ALL
            SELECT 'contact', k.created_at, k.seq,
                   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   k.id, k.name, k.mobile_phone, k.mobile_phone_e164, k.region, k.attributes, k.created_at
            FROM contact k WHERE k.mobile_phone_e164 = ANY($3::text[])
            ORDER BY part, position, seq
            """
    }

    /// Stores the batch in one statement, for each message (arrays in arrival order): claims its dedupe key
    /// (sorted; unless its replay guard's check already claimed it, `preclaimed`) with the message and
    /// conversation it produces, so that no later update of the key is needed; opens the conversations the
    /// stored messages need (`opens`: the customer had none open; one per customer, from its first stored
    /// message, sorted by customer); inserts the stored messages and their first status in arrival order.
    /// Returns the keys claimed (`key`) and the conversations opened (`conversation`).
    ///
    /// A conversation another transaction opened for the same customer in the meantime is not inserted (the
    /// partial unique index), and the messages that name it then fail the statement (foreign keys are checked
    /// at the statement's end): the batch rolls back and its calls run one by one, as on any failure. Writes
    /// only from its arrays (no table read but the arbiter indexes): one plan whatever the tables hold, prepared.
    enum Store: PreparedSQL {
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bool[], $5::text[], $6::text[],
                    $7::bool[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[],
                    $14::text[], $15::text[], $16::text[], $17::text[])
                    WITH ORDINALITY AS u(channel_id, key, created_at, preclaimed, message_id, conversation_id,
                        opens, medium, queue, customer_phone, contact_id, match_count, candidate_ids, author, text,
                        media, provider_message_id, n)
            ), claimed AS (
                INSERT INTO dedupe_key (channel_id, kind, key, created_at, conversation_id, message_id)
                SELECT channel_id, 'inbound', key, created_at, conversation_id, message_id
                FROM input WHERE NOT preclaimed ORDER BY channel_id, key
                ON CONFLICT DO NOTHING
                RETURNING channel_id, key
            ), stored AS (
                SELECT * FROM input i
                WHERE i.preclaimed OR (i.channel_id, i.key) IN (SELECT channel_id, key FROM claimed)
            ), opened AS (
                INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, contact_id,
                    match_count, candidate_ids, assigned_agent, context_json, created_at, closed_at)
                SELECT DISTINCT ON (channel_id, customer_phone) conversation_id, channel_id, medium, queue, 'open',
                    customer_phone, NULLIF(contact_id, ''), match_count, candidate_ids, NULL, NULL, created_at, NULL
                FROM stored WHERE opens ORDER BY channel_id, customer_phone, n
                ON CONFLICT (channel_id, customer_phone) WHERE status = 'open' DO NOTHING
                RETURNING id
            ), messages AS (
                INSERT INTO message (id, conversation_id, channel_id, direction, author, agent_id, text, media,
                    status, error_code, error_message, provider_message_id, created_at, updated_at)
                SELECT message_id, conversation_id, channel_id, 'inbound', author, NULL, text, media, 'received',
                    NULL, NULL, provider_message_id, created_at, created_at
                FROM stored ORDER BY n
                RETURNING id
            ), history AS (
                INSERT INTO message_status_history (message_id, status, error_code, error_message, at)
                SELECT message_id, 'received', NULL, NULL, created_at FROM stored ORDER BY n
            )
            SELECT 'key' AS kind, channel_id, key AS value FROM claimed
            UNION ALL SELECT 'conversation', NULL, id FROM opened
            """
    }

    /// Links the keys a replay guard's check claimed before ``Store`` to what they produced.
    enum LinkKeys {
        static let sql = """
            UPDATE dedupe_key d SET conversation_id = u.conversation_id, message_id = u.message_id
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(channel_id, key, conversation_id, message_id)
            WHERE d.channel_id = u.channel_id AND d.kind = 'inbound' AND d.key = u.key
            """
    }
}
