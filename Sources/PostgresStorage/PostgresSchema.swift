import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, as named migrations recorded in `schema_migrations`. A released migration is never
/// edited: changes are new migrations appended at the end. The tables and columns are the SQLite store's
/// (SQLiteSchema), with these differences: times are BIGINT milliseconds, flags BOOLEAN, and tables ordered by
/// insertion get a `seq` identity column where SQLite uses its rowid.
enum PostgresSchema {
    struct Migration {
        var name: String
        var sql: String
        /// The SQL is one statement with `;` inside (a function's body): run as it is, not split at each `;`.
        var isOneStatement = false
    }

    static let migrations: [Migration] = [
        Migration(name: "v1-initial-schema", sql: initialSchema),
        Migration(name: "v2-replay-nonces", sql: replayNonces),
        Migration(name: "v3-concatenation-parts", sql: concatenationParts),
        Migration(name: "v4-core-notification-outbox", sql: coreNotificationOutbox),
        Migration(name: "v5-core-events", sql: coreEvents),
        Migration(name: "v6-retention-and-erasure-indexes", sql: retentionIndexes),
        Migration(name: "v7-routing-decisions", sql: routingDecisions),
        Migration(name: "v8-work-items", sql: workItems),
        Migration(name: "v9-outbound-provider-id-index", sql: outboundProviderIDIndex),
        Migration(name: "v10-one-customer-index", sql: customerIndex),
        Migration(name: "v11-closed-conversation-sweep", sql: closedConversationSweep, isOneStatement: true),
        Migration(name: "v12-core-event-completion", sql: coreEventCompletion, isOneStatement: true),
    ]

    /// SQLite's `v10-one-customer-index`: one index led by the customer serves a customer's conversations in one
    /// channel and in all of them; a new conversation writes one index fewer.
    static let customerIndex = """
        DROP INDEX conversation_by_customer;
        DROP INDEX conversation_by_phone;
        CREATE INDEX conversation_by_customer ON conversation (customer_phone, channel_id, created_at)
        """

    /// SQLite's `v9-outbound-provider-id-index`: delivery reports look up outbound messages only, so inbound ones
    /// (every webhook) stay out of the index.
    static let outboundProviderIDIndex = """
        DROP INDEX message_by_provider_id;
        CREATE INDEX message_by_provider_id ON message (channel_id, provider_message_id)
            WHERE provider_message_id IS NOT NULL AND direction = 'outbound'
        """

    /// The advisory lock every migrating instance takes first: instances starting together migrate one at a time,
    /// and the later ones find the work done.
    static let migrationLock: Int64 = 0x5377_6974_6368_6264  // "Switchbd"

    /// Brings the database up to date: the migrations not recorded yet, in order, in one transaction.
    /// Returns the names applied now.
    @discardableResult
    static func migrate(_ session: SQLSession) async throws -> [String] {
        try await session.run("SELECT pg_advisory_xact_lock($1)", [migrationLock])
        try await session.run(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """)
        let applied = Set(
            try await session.rows("SELECT name FROM schema_migrations").map { row -> String in
                try row.required("name")
            })
        var appliedNow: [String] = []
        for migration in migrations where !applied.contains(migration.name) {
            // One statement at a time: the extended query protocol takes no multi-statement strings. The
            // migrations' SQL has no `;` inside literals or comments, but for those that are one statement.
            let statements = migration.isOneStatement ? [Substring(migration.sql)] : migration.sql.split(separator: ";")
            for statement in statements {
                let statement = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { try await session.run(statement) }
            }
            try await session.run("INSERT INTO schema_migrations (name) VALUES ($1)", [migration.name])
            appliedNow.append(migration.name)
        }
        return appliedNow
    }

    /// Work items as the router last left them (CONTRACT.md §12), as SQLite's `v8-work-items`.
    static let workItems = """
        CREATE TABLE work_item (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            queue TEXT NOT NULL,
            priority BIGINT NOT NULL,
            assigned_agent TEXT,
            created_at BIGINT NOT NULL,
            closed_at BIGINT
        );
        CREATE INDEX work_item_open ON work_item (created_at) WHERE closed_at IS NULL
        """

    /// The embedded router's decision log (CONTRACT.md §12), as SQLite's `v7-routing-decisions`.
    static let routingDecisions = """
        CREATE TABLE routing_decision (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            conversation_id TEXT,
            work_item_id TEXT,
            agent_id TEXT,
            notification_id TEXT,
            reason TEXT NOT NULL
        );
        CREATE INDEX routing_decision_by_conversation ON routing_decision (conversation_id, seq)
            WHERE conversation_id IS NOT NULL;
        CREATE INDEX routing_decision_by_work_item ON routing_decision (work_item_id, seq)
            WHERE work_item_id IS NOT NULL;
        CREATE INDEX routing_decision_by_agent ON routing_decision (agent_id, seq) WHERE agent_id IS NOT NULL;
        CREATE INDEX routing_decision_by_time ON routing_decision (at)
        """

    /// The remote core's event outbox (CONTRACT.md §11), as SQLite's `v5-core-events`: events ordered per
    /// conversation by `seq`, one `core_queue` row per conversation with events waiting.
    static let coreEvents = """
        CREATE TABLE core_event (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            conversation_id TEXT NOT NULL,
            type TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            last_error TEXT
        );
        CREATE INDEX core_event_by_conversation ON core_event (conversation_id, seq);
        CREATE TABLE core_queue (
            conversation_id TEXT PRIMARY KEY,
            next_attempt_at BIGINT NOT NULL,
            claimed BOOLEAN NOT NULL DEFAULT FALSE
        );
        CREATE INDEX core_queue_due ON core_queue (next_attempt_at);
        INSERT INTO core_event (id, conversation_id, type, body, created_at, attempts, last_error)
            SELECT id, COALESCE(body::jsonb ->> 'conversationId', id),
                COALESCE(body::jsonb ->> 'type', 'notification.request'), body, created_at, attempts, last_error
            FROM core_notification ORDER BY created_at, seq;
        INSERT INTO core_queue (conversation_id, next_attempt_at)
            SELECT conversation_id, MIN(created_at) FROM core_event GROUP BY conversation_id;
        DROP TABLE core_notification
        """

    /// What the retention sweep deletes by time, and what erasing a customer finds by number (SQLiteSchema's v6).
    static let retentionIndexes = """
        CREATE INDEX message_by_created ON message (created_at);
        CREATE INDEX conversation_by_closed ON conversation (closed_at) WHERE status = 'closed';
        CREATE INDEX conversation_by_phone ON conversation (customer_phone);
        CREATE INDEX conversation_by_contact ON conversation (contact_id) WHERE contact_id IS NOT NULL;
        CREATE INDEX dedupe_key_by_created ON dedupe_key (created_at);
        CREATE INDEX dedupe_key_by_conversation ON dedupe_key (conversation_id) WHERE conversation_id IS NOT NULL;
        CREATE INDEX replay_nonce_by_seen ON replay_nonce (seen_at);
        """

    static let coreNotificationOutbox = """
        CREATE TABLE core_notification (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            last_error TEXT
        );
        CREATE INDEX core_notification_due ON core_notification (next_attempt_at, created_at);
        """

    static let replayNonces = """
        CREATE TABLE replay_nonce (
            channel_id TEXT NOT NULL,
            nonce TEXT NOT NULL,
            event_key TEXT NOT NULL,
            seen_at BIGINT NOT NULL,
            PRIMARY KEY (channel_id, nonce)
        );
        CREATE INDEX replay_nonce_by_time ON replay_nonce (channel_id, seen_at);
        """

    static let concatenationParts = """
        CREATE TABLE concatenation_part (
            channel_id TEXT NOT NULL,
            customer_phone TEXT NOT NULL,
            recipient TEXT NOT NULL,
            reference TEXT NOT NULL,
            part BIGINT NOT NULL,
            total BIGINT NOT NULL,
            dedupe_key TEXT NOT NULL,
            provider_message_id TEXT NOT NULL,
            customer_is_phone_number BOOLEAN NOT NULL,
            medium TEXT NOT NULL,
            queue TEXT NOT NULL,
            text TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            PRIMARY KEY (channel_id, customer_phone, recipient, reference, part)
        );
        CREATE INDEX concatenation_part_by_time ON concatenation_part (channel_id, received_at);
        """

    static let initialSchema = """
        CREATE TABLE contact (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            name TEXT NOT NULL,
            mobile_phone TEXT NOT NULL,
            mobile_phone_e164 TEXT NOT NULL,
            region TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            created_at BIGINT NOT NULL
        );
        CREATE INDEX contact_by_e164 ON contact (mobile_phone_e164, created_at, seq);

        CREATE TABLE conversation (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            channel_id TEXT NOT NULL,
            medium TEXT NOT NULL,
            queue TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
            customer_phone TEXT NOT NULL,
            contact_id TEXT REFERENCES contact (id) ON DELETE SET NULL,
            match_count BIGINT NOT NULL DEFAULT 0,
            candidate_ids TEXT NOT NULL DEFAULT '[]',
            assigned_agent TEXT,
            context_json TEXT,
            created_at BIGINT NOT NULL,
            closed_at BIGINT
        );
        -- One open conversation per (channel, customer), whatever races: the second insert conflicts.
        CREATE UNIQUE INDEX conversation_one_open ON conversation (channel_id, customer_phone)
            WHERE status = 'open';
        CREATE INDEX conversation_by_customer ON conversation (channel_id, customer_phone, created_at);
        CREATE INDEX conversation_by_created ON conversation (created_at, seq);
        CREATE INDEX conversation_by_status ON conversation (status, created_at);
        CREATE INDEX conversation_by_agent ON conversation (assigned_agent, created_at)
            WHERE assigned_agent IS NOT NULL;

        CREATE TABLE message (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            conversation_id TEXT NOT NULL REFERENCES conversation (id),
            channel_id TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
            author TEXT NOT NULL,
            agent_id TEXT,
            text TEXT NOT NULL,
            media TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL,
            error_code TEXT,
            error_message TEXT,
            provider_message_id TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX message_by_conversation ON message (conversation_id, created_at, seq);
        CREATE INDEX message_by_provider_id ON message (channel_id, provider_message_id)
            WHERE provider_message_id IS NOT NULL;

        CREATE TABLE message_status_history (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            message_id TEXT NOT NULL REFERENCES message (id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            error_code TEXT,
            error_message TEXT,
            at BIGINT NOT NULL
        );
        CREATE INDEX message_status_history_by_message ON message_status_history (message_id, seq);

        CREATE TABLE dedupe_key (
            channel_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('inbound', 'report')),
            key TEXT NOT NULL,
            conversation_id TEXT,
            message_id TEXT,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (channel_id, kind, key)
        );

        CREATE TABLE pending_delivery_report (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            channel_id TEXT NOT NULL,
            provider_message_id TEXT NOT NULL,
            status TEXT NOT NULL,
            error_code TEXT,
            error_message TEXT,
            opted_out BOOLEAN NOT NULL,
            received_at BIGINT NOT NULL
        );
        CREATE INDEX pending_delivery_report_by_provider_id
            ON pending_delivery_report (channel_id, provider_message_id);

        CREATE TABLE opt_out (
            channel_id TEXT NOT NULL,
            customer TEXT NOT NULL,
            opted_out_at BIGINT NOT NULL,
            PRIMARY KEY (channel_id, customer)
        );

        CREATE TABLE outbox (
            message_id TEXT PRIMARY KEY REFERENCES message (id),
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'retrying')),
            attempts BIGINT NOT NULL DEFAULT 0,
            queued_at BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            last_error_code TEXT,
            last_error_message TEXT
        );
        CREATE INDEX outbox_by_next_attempt ON outbox (next_attempt_at);

        -- The agent's last sequence number, apart from the events so that trimming never reuses one. Its row
        -- is the lock that orders concurrent appends of one agent.
        CREATE TABLE agent_event_sequence (
            agent_id TEXT PRIMARY KEY,
            last_sequence BIGINT NOT NULL
        );

        CREATE TABLE agent_event (
            agent_id TEXT NOT NULL,
            sequence BIGINT NOT NULL,
            type TEXT NOT NULL,
            data TEXT NOT NULL,
            at BIGINT NOT NULL,
            PRIMARY KEY (agent_id, sequence)
        );
        """
}
