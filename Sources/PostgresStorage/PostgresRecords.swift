import Foundation
import PostgresNIO
import Switchboard

// Reading and writing the domain records (Contact, Conversation, Message) as rows: the SQLite store's statements
// (SQLiteRecords.swift) with `$n` parameters, `seq` for insertion order and row locks where a caller reads
// before it writes.

enum ContactRows {
    static let columns = "id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at"

    static let insertSQL = """
        INSERT INTO contact (id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """

    static func arguments(_ contact: Contact) throws -> [any SQLBindable] {
        [
            contact.id, contact.name, contact.mobilePhone, contact.mobilePhoneE164, contact.region,
            try StoredJSON.encode(contact.attributes), contact.createdAt.storedMilliseconds,
        ]
    }

    /// Reads a contact from columns named with an optional prefix (`k_` in conversation joins).
    static func decode(_ row: PostgresRandomAccessRow, prefix: String = "") throws -> Contact {
        Contact(
            id: try row.required(prefix + "id"),
            name: try row.required(prefix + "name"),
            mobilePhone: try row.required(prefix + "mobile_phone"),
            mobilePhoneE164: try row.required(prefix + "mobile_phone_e164"),
            region: try row.required(prefix + "region"),
            attributes: try StoredJSON.decode(
                [String: String].self, from: row.required(prefix + "attributes"), column: "contact.attributes"),
            createdAt: try row.date(prefix + "created_at"))
    }

    /// Every contact with this E.164 number, oldest first.
    static func fetch(e164: String, _ db: SQLSession) async throws -> [Contact] {
        try await db.rows(
            "SELECT \(columns) FROM contact WHERE mobile_phone_e164 = $1 ORDER BY created_at, seq", [e164]
        ).map { try decode($0) }
    }
}

enum ConversationRows {
    /// Conversations with their linked contact (columns `k_*`, null when none).
    static let select = """
        SELECT c.id, c.channel_id, c.medium, c.queue, c.status, c.customer_phone, c.contact_id, c.match_count,
               c.candidate_ids, c.assigned_agent, c.context_json, c.created_at, c.closed_at,
               k.id AS k_id, k.name AS k_name, k.mobile_phone AS k_mobile_phone,
               k.mobile_phone_e164 AS k_mobile_phone_e164, k.region AS k_region, k.attributes AS k_attributes,
               k.created_at AS k_created_at
        FROM conversation c LEFT JOIN contact k ON k.id = c.contact_id
        """

    static func decode(_ row: PostgresRandomAccessRow) throws -> Conversation {
        let contactID: String? = try row.optional("k_id")
        let contact = try contactID.map { _ in try ContactRows.decode(row, prefix: "k_") }
        let count: Int64 = try row.required("match_count")
        let match = ContactMatch(
            count: Int(count),
            contact: contact,
            candidateIDs: try StoredJSON.decodeIDs(
                from: row.required("candidate_ids"), column: "conversation.candidate_ids"))
        return Conversation(
            id: try row.required("id"),
            channelID: try row.required("channel_id"),
            medium: try row.enumValue("medium"),
            queue: try row.required("queue"),
            status: try row.enumValue("status"),
            customerPhone: try row.required("customer_phone"),
            match: match,
            assignedAgent: try row.optional("assigned_agent"),
            contextJSON: try row.optional("context_json"),
            createdAt: try row.date("created_at"),
            closedAt: try row.optionalDate("closed_at"))
    }

    static func fetch(id: String, _ db: SQLSession) async throws -> Conversation? {
        try await db.row(FetchByID.self, [id]).map(decode)
    }

    enum FetchByID: PreparedSQL {
        static let sql = select + " WHERE c.id = $1"
    }

    /// The conversation, its row locked until the transaction ends (`FOR UPDATE` or `FOR SHARE`).
    static func fetchLocked(id: String, mode: String = "FOR UPDATE", _ db: SQLSession) async throws -> Conversation? {
        try await db.row(select + " WHERE c.id = $1 \(mode) OF c", [id]).map(decode)
    }

    /// The open conversation of (channel, customer), if any, its row locked: a concurrent close waits for the
    /// message being added to it.
    static func fetchOpenLocked(
        channelID: String, customerPhone: String, _ db: SQLSession
    ) async throws
        -> Conversation?
    {
        try await db.row(FetchOpenLocked.self, [channelID, customerPhone]).map(decode)
    }

    enum FetchOpenLocked: PreparedSQL {
        static let sql =
            select + " WHERE c.channel_id = $1 AND c.customer_phone = $2 AND c.status = 'open' FOR UPDATE OF c"
    }

    /// Inserts an open conversation unless (channel, customer) already has one (the partial unique index):
    /// `false` then, and the caller reads the one that won.
    static func insertOpen(_ conversation: Conversation, _ db: SQLSession) async throws -> Bool {
        try await db.run(
            InsertOpen.self,
            [
                conversation.id, conversation.channelID, conversation.medium.rawValue, conversation.queue,
                conversation.status.rawValue, conversation.customerPhone, conversation.match.contact?.id,
                conversation.match.count, try StoredJSON.encodeIDs(conversation.match.candidateIDs),
                conversation.assignedAgent, conversation.contextJSON, conversation.createdAt.storedMilliseconds,
                conversation.closedAt?.storedMilliseconds,
            ]) > 0
    }

    enum InsertOpen: PreparedSQL {
        static let sql = """
            INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, contact_id,
                match_count, candidate_ids, assigned_agent, context_json, created_at, closed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (channel_id, customer_phone) WHERE status = 'open' DO NOTHING
            RETURNING 1
            """
    }

    /// Gives an open conversation (its row locked) the customer's contact match as it is now, when it changed:
    /// contacts imported since the conversation opened count from now on.
    static func refreshMatch(_ conversation: inout Conversation, to match: ContactMatch, _ db: SQLSession) async throws
    {
        guard conversation.match != match else { return }
        conversation.match = match
        try await db.run(
            "UPDATE conversation SET contact_id = $1, match_count = $2, candidate_ids = $3 WHERE id = $4",
            [match.contact?.id, match.count, try StoredJSON.encodeIDs(match.candidateIDs), conversation.id])
    }
}

enum MessageRows {
    static let select = """
        SELECT id, conversation_id, direction, author, agent_id, text, media, status, error_code, error_message,
               provider_message_id, created_at, updated_at, channel_id
        FROM message
        """

    static func decode(_ row: PostgresRandomAccessRow) throws -> Message {
        Message(
            id: try row.required("id"),
            conversationID: try row.required("conversation_id"),
            direction: try row.enumValue("direction"),
            author: try row.enumValue("author"),
            agentID: try row.optional("agent_id"),
            text: try row.required("text"),
            media: try StoredJSON.decodeMedia(from: row.required("media"), column: "message.media"),
            status: try row.enumValue("status"),
            error: try row.providerError("error"),
            providerMessageID: try row.optional("provider_message_id"),
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }

    static func fetch(id: String, _ db: SQLSession) async throws -> Message? {
        try await db.row(select + " WHERE id = $1", [id]).map(decode)
    }

    /// The message, its row locked until the transaction ends: status changes read, then write.
    static func fetchLocked(id: String, _ db: SQLSession) async throws -> Message? {
        try await db.row(select + " WHERE id = $1 FOR UPDATE", [id]).map(decode)
    }

    /// The outbound message a provider id names on a channel, its row locked.
    static func fetchOutboundLocked(
        channelID: String, providerMessageID: String, _ db: SQLSession
    ) async throws
        -> Message?
    {
        try await db.row(FetchOutboundLocked.self, [channelID, providerMessageID]).map(decode)
    }

    enum FetchOutboundLocked: PreparedSQL {
        static let sql =
            select + " WHERE channel_id = $1 AND provider_message_id = $2 AND direction = 'outbound' FOR UPDATE"
    }

    /// Inserts the message and its first status change in one statement (one round trip); with `dedupeLink`,
    /// the same statement records on that claimed dedupe key that it produced this message.
    static func insert(
        _ message: Message, channelID: String, dedupeLink: (kind: DedupeKeys.Kind, key: String)? = nil,
        _ db: SQLSession
    ) async throws {
        var arguments: [any SQLBindable] = [
            message.id, message.conversationID, channelID, message.direction.rawValue, message.author.rawValue,
            message.agentID, message.text, try StoredJSON.encodeMedia(message.media), message.status.rawValue,
            message.error?.code, message.error?.message, message.providerMessageID,
            message.createdAt.storedMilliseconds, message.updatedAt.storedMilliseconds,
        ]
        if let dedupeLink {
            arguments += [dedupeLink.kind.rawValue, dedupeLink.key]
            try await db.run(InsertLinkingDedupeKey.self, arguments)
        } else {
            try await db.run(Insert.self, arguments)
        }
    }

    // The history row references the message: the foreign key is checked at the end of the statement, when both
    // rows exist.
    private static let insertWith = """
        WITH inserted AS (
            INSERT INTO message (id, conversation_id, channel_id, direction, author, agent_id, text, media,
                status, error_code, error_message, provider_message_id, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            RETURNING id
        )
        """
    private static let insertHistory = """
        INSERT INTO message_status_history (message_id, status, error_code, error_message, at)
        SELECT id, $9, $10, $11, $13 FROM inserted
        """

    enum Insert: PreparedSQL {
        static let sql = insertWith + "\n" + insertHistory
    }

    enum InsertLinkingDedupeKey: PreparedSQL {
        static let sql =
            insertWith + """
                , linked AS (
                    UPDATE dedupe_key SET conversation_id = $2, message_id = $1
                    WHERE channel_id = $3 AND kind = $15 AND key = $16
                )

                """ + insertHistory
    }

    /// Writes the mutable part of a message (status, error, provider id, updated time).
    static func updateState(_ message: Message, _ db: SQLSession) async throws {
        try await db.run(
            UpdateState.self,
            [
                message.status.rawValue, message.error?.code, message.error?.message, message.providerMessageID,
                message.updatedAt.storedMilliseconds, message.id,
            ])
    }

    enum UpdateState: PreparedSQL {
        static let sql = """
            UPDATE message SET status = $1, error_code = $2, error_message = $3, provider_message_id = $4,
                updated_at = $5
            WHERE id = $6
            """
    }

    static func appendHistory(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail?, at: Date, _ db: SQLSession
    ) async throws {
        try await db.run(
            AppendHistory.self, [messageID, status.rawValue, error?.code, error?.message, at.storedMilliseconds])
    }

    enum AppendHistory: PreparedSQL {
        static let sql = """
            INSERT INTO message_status_history (message_id, status, error_code, error_message, at)
            VALUES ($1, $2, $3, $4, $5)
            """
    }

    /// Applies a status report (``Switchboard/Message/applyingReport(_:error:at:)``) and records the change. The caller holds the message's
    /// row lock. Returns the message as stored.
    static func advance(
        _ message: Message, to next: MessageStatus, error: ProviderErrorDetail?, at: Date, _ db: SQLSession
    ) async throws -> (message: Message, changed: Bool) {
        guard let (updated, changed) = message.applyingReport(next, error: error, at: at) else {
            return (message, false)
        }
        try await updateState(updated, db)
        if changed {
            try await appendHistory(messageID: updated.id, status: updated.status, error: updated.error, at: at, db)
        }
        return (updated, changed)
    }
}
