import GRDB

/// The SQLite schema, as versioned migrations. A released migration is never edited: changes are new
/// migrations appended at the end, so every database reaches the same schema whatever version created it.
enum SQLiteSchema {
    /// The names of the migrations, in order (also what `grdb_migrations` records).
    static var migrationNames: [String] { migrator.migrations }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial-schema", migrate: createInitialSchema)
        migrator.registerMigration("v2-replay-nonces", migrate: createReplayNonces)
        migrator.registerMigration("v3-concatenation-parts", migrate: createConcatenationParts)
        migrator.registerMigration("v4-core-notification-outbox", migrate: createCoreNotificationOutbox)
        migrator.registerMigration("v5-core-events", migrate: createCoreEvents)
        migrator.registerMigration("v6-retention-and-erasure-indexes", migrate: createRetentionIndexes)
        migrator.registerMigration("v7-routing-decisions", migrate: createRoutingDecisions)
        migrator.registerMigration("v8-work-items", migrate: createWorkItems)
        migrator.registerMigration("v9-outbound-provider-id-index", migrate: narrowProviderIDIndex)
        migrator.registerMigration("v10-one-customer-index", migrate: mergeCustomerIndexes)
        return migrator
    }

    /// `conversation_by_customer` (channel, customer, time) and `conversation_by_phone` (customer) become one index
    /// led by the customer: a customer's conversations in one channel (the API's filter, in order) and in every
    /// channel (erasure) are both its prefixes. One B-tree fewer written per new conversation, and one whose keys
    /// (phone numbers) land on random pages (issue 18). A channel alone is read through `conversation_by_created`.
    private static func mergeCustomerIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX conversation_by_customer;
                DROP INDEX conversation_by_phone;
                CREATE INDEX conversation_by_customer ON conversation (customer_phone, channel_id, created_at);
                """)
    }

    /// Delivery reports look messages up by provider id among the outbound ones only; inbound messages (every
    /// webhook) no longer go into the index: one B-tree page fewer written per inbound message (issue 18).
    private static func narrowProviderIDIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX message_by_provider_id;
                CREATE INDEX message_by_provider_id ON message (channel_id, provider_message_id)
                    WHERE provider_message_id IS NOT NULL AND direction = 'outbound';
                """)
    }

    /// Work items as the router last left them (CONTRACT.md §12), read back at start.
    private static func createWorkItems(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE work_item (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    assigned_agent TEXT,
                    created_at INTEGER NOT NULL,
                    closed_at INTEGER
                );
                CREATE INDEX work_item_open ON work_item (created_at) WHERE closed_at IS NULL;
                """)
    }

    /// The embedded router's decision log (CONTRACT.md §12), newest read first by item or agent.
    private static func createRoutingDecisions(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE routing_decision (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
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
                CREATE INDEX routing_decision_by_time ON routing_decision (at);
                """)
    }

    /// The remote core's event outbox (CONTRACT.md §11), replacing `core_notification` (requests still waiting
    /// there move over, in their order). `core_event` keeps the events, ordered per conversation by `seq`;
    /// `core_queue` has one row per conversation with events waiting: when its oldest is due (`next_attempt_at`,
    /// also the end of a claim's lease while `claimed`), so that finding due work reads an index, not the backlog.
    private static func createCoreEvents(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE core_event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    conversation_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT
                );
                CREATE INDEX core_event_by_conversation ON core_event (conversation_id, seq);
                CREATE TABLE core_queue (
                    conversation_id TEXT PRIMARY KEY,
                    next_attempt_at INTEGER NOT NULL,
                    claimed INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                CREATE INDEX core_queue_due ON core_queue (next_attempt_at);
                INSERT INTO core_event (id, conversation_id, type, body, created_at, attempts, last_error)
                    SELECT id, COALESCE(json_extract(body, '$.conversationId'), id),
                        COALESCE(json_extract(body, '$.type'), 'notification.request'), body, created_at, attempts,
                        last_error
                    FROM core_notification ORDER BY created_at, rowid;
                INSERT INTO core_queue (conversation_id, next_attempt_at)
                    SELECT conversation_id, MIN(created_at) FROM core_event GROUP BY conversation_id;
                DROP TABLE core_notification;
                """)
    }

    /// What the retention sweep deletes by time, and what erasing a customer finds by number, without scanning a
    /// table: messages by age, closed conversations by closing time, dedupe keys and nonces by age; conversations
    /// by customer alone (every channel) and by linked contact (deleting a contact unlinks them), dedupe keys by
    /// conversation.
    private static func createRetentionIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX message_by_created ON message (created_at);
                CREATE INDEX conversation_by_closed ON conversation (closed_at) WHERE status = 'closed';
                CREATE INDEX conversation_by_phone ON conversation (customer_phone);
                CREATE INDEX conversation_by_contact ON conversation (contact_id) WHERE contact_id IS NOT NULL;
                CREATE INDEX dedupe_key_by_created ON dedupe_key (created_at);
                CREATE INDEX dedupe_key_by_conversation ON dedupe_key (conversation_id)
                    WHERE conversation_id IS NOT NULL;
                CREATE INDEX replay_nonce_by_seen ON replay_nonce (seen_at);
                """)
    }

    /// Notification requests for an external core (remote router mode), kept until the core answered 2xx.
    private static func createCoreNotificationOutbox(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE core_notification (
                    id TEXT PRIMARY KEY,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT
                );
                CREATE INDEX core_notification_due ON core_notification (next_attempt_at, created_at);
                """)
    }

    /// Nonces of signed webhooks (Vonage), remembered per channel so a replayed request with a new event id is
    /// refused within the replay window (``ReplayGuard``). One row per nonce: the latest event that used it.
    private static func createReplayNonces(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE replay_nonce (
                    channel_id TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    event_key TEXT NOT NULL,            -- dedupe kind + ':' + dedupe key of the event that used it
                    seen_at INTEGER NOT NULL,
                    PRIMARY KEY (channel_id, nonce)
                ) WITHOUT ROWID;
                CREATE INDEX replay_nonce_by_time ON replay_nonce (channel_id, seen_at);
                """)
    }

    /// Parts of concatenated SMS waiting for the rest of their message. A group's rows are deleted when its
    /// message is stored (complete, or incomplete after the channel's wait).
    private static func createConcatenationParts(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE concatenation_part (
                    channel_id TEXT NOT NULL,
                    customer_phone TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    part INTEGER NOT NULL,
                    total INTEGER NOT NULL,
                    dedupe_key TEXT NOT NULL,
                    provider_message_id TEXT NOT NULL,
                    customer_is_phone_number INTEGER NOT NULL,
                    medium TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    text TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (channel_id, customer_phone, recipient, reference, part)
                ) WITHOUT ROWID;
                CREATE INDEX concatenation_part_by_time ON concatenation_part (channel_id, received_at);
                """)
    }

    // Times are INTEGER milliseconds since 1970. Records created by Switchboard have TEXT ids (RecordID);
    // ordering ties on equal times are broken by rowid (insertion order).
    private static func createInitialSchema(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE contact (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    mobile_phone TEXT NOT NULL,          -- as given
                    mobile_phone_e164 TEXT NOT NULL,     -- the key inbound senders match on
                    region TEXT NOT NULL,
                    attributes TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
                    created_at INTEGER NOT NULL
                );
                -- Several contacts may share a number: not unique.
                CREATE INDEX contact_by_e164 ON contact (mobile_phone_e164, created_at);

                CREATE TABLE conversation (
                    id TEXT PRIMARY KEY NOT NULL,
                    channel_id TEXT NOT NULL,
                    medium TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                    customer_phone TEXT NOT NULL,
                    contact_id TEXT REFERENCES contact (id) ON DELETE SET NULL, -- only when exactly one matched
                    match_count INTEGER NOT NULL DEFAULT 0,
                    candidate_ids TEXT NOT NULL DEFAULT '[]', -- JSON array, up to 10 ids
                    assigned_agent TEXT,
                    context_json TEXT,
                    created_at INTEGER NOT NULL,
                    closed_at INTEGER
                );
                -- One open conversation per (channel, customer), whatever races: the second insert fails.
                CREATE UNIQUE INDEX conversation_one_open ON conversation (channel_id, customer_phone)
                    WHERE status = 'open';
                CREATE INDEX conversation_by_customer ON conversation (channel_id, customer_phone, created_at);
                CREATE INDEX conversation_by_created ON conversation (created_at);
                CREATE INDEX conversation_by_status ON conversation (status, created_at);
                CREATE INDEX conversation_by_agent ON conversation (assigned_agent, created_at)
                    WHERE assigned_agent IS NOT NULL;

                CREATE TABLE message (
                    id TEXT PRIMARY KEY NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversation (id),
                    channel_id TEXT NOT NULL,            -- the conversation's, for provider id lookups
                    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                    author TEXT NOT NULL,
                    agent_id TEXT,
                    text TEXT NOT NULL,
                    media TEXT NOT NULL DEFAULT '[]',    -- JSON array of {url, contentType}
                    status TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    provider_message_id TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX message_by_conversation ON message (conversation_id, created_at);
                CREATE INDEX message_by_provider_id ON message (channel_id, provider_message_id)
                    WHERE provider_message_id IS NOT NULL;

                CREATE TABLE message_status_history (
                    message_id TEXT NOT NULL REFERENCES message (id) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    at INTEGER NOT NULL
                );
                CREATE INDEX message_status_history_by_message ON message_status_history (message_id);

                -- Provider event ids already handled. `kind` keeps inbound messages and delivery reports apart,
                -- so a report can never be taken for a redelivered message. Kept forever: redeliveries may come
                -- days later, and the row is small.
                CREATE TABLE dedupe_key (
                    channel_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('inbound', 'report')),
                    key TEXT NOT NULL,
                    conversation_id TEXT,
                    message_id TEXT,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (channel_id, kind, key)
                ) WITHOUT ROWID;

                -- Delivery reports that beat the send API's answer: applied when the provider id is recorded.
                CREATE TABLE pending_delivery_report (
                    channel_id TEXT NOT NULL,
                    provider_message_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    opted_out INTEGER NOT NULL,
                    received_at INTEGER NOT NULL
                );
                CREATE INDEX pending_delivery_report_by_provider_id
                    ON pending_delivery_report (channel_id, provider_message_id);

                CREATE TABLE opt_out (
                    channel_id TEXT NOT NULL,
                    customer TEXT NOT NULL,
                    opted_out_at INTEGER NOT NULL,
                    PRIMARY KEY (channel_id, customer)
                ) WITHOUT ROWID;

                -- Pending replies. A row leaves the outbox when the message is sent or has failed.
                CREATE TABLE outbox (
                    message_id TEXT PRIMARY KEY NOT NULL REFERENCES message (id),
                    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'retrying')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    queued_at INTEGER NOT NULL,
                    -- queued/retrying: when it is due; sending: when the attempt is presumed lost (crash).
                    next_attempt_at INTEGER NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    last_error_code TEXT,
                    last_error_message TEXT
                );
                CREATE INDEX outbox_by_next_attempt ON outbox (next_attempt_at);

                -- The agent's last sequence number, apart from the events so that trimming never reuses one.
                CREATE TABLE agent_event_sequence (
                    agent_id TEXT PRIMARY KEY NOT NULL,
                    last_sequence INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE agent_event (
                    agent_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    data TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, sequence)
                ) WITHOUT ROWID;
                """)
    }
}
