import Foundation
import GRDB
import Switchboard

// Reading and writing the domain records (Contact, Conversation, Message) as rows. Plain SQL through cached
// statements rather than GRDB record types: the webhook path runs a handful of these per request, and the
// column names stay the ones a PostgreSQL adapter will use.

enum ContactRows {
    static let columns = "id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at"

    static let insertSQL = """
        INSERT INTO contact (id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    /// ``insertSQL`` that skips a contact whose id is already stored.
    static let insertSkippingTakenIDsSQL = insertSQL + " ON CONFLICT (id) DO NOTHING"

    static func arguments(_ contact: Contact) throws -> StatementArguments {
        [
            contact.id, contact.name, contact.mobilePhone, contact.mobilePhoneE164, contact.region,
            try encodeAttributes(contact.attributes), contact.createdAt.storedMilliseconds,
        ]
    }

    /// Most imported contacts have no attributes: `{}` then needs no JSONEncoder (one per row on import).
    static func encodeAttributes(_ attributes: [String: String]) throws -> String {
        attributes.isEmpty ? "{}" : try StoredJSON.encode(attributes)
    }

    static func decodeAttributes(_ text: String, column: String) throws -> [String: String] {
        text == "{}" ? [:] : try StoredJSON.decode([String: String].self, from: text, column: column)
    }

    /// Reads a contact from ``columns``, in their order, starting at column `first` (13 in conversation joins).
    static func decode(_ row: Row, from first: Int = 0) throws -> Contact {
        Contact(
            id: try row.required(at: first),
            name: try row.required(at: first + 1),
            mobilePhone: try row.required(at: first + 2),
            mobilePhoneE164: try row.required(at: first + 3),
            region: try row.required(at: first + 4),
            attributes: try decodeAttributes(row.required(at: first + 5), column: "contact.attributes"),
            createdAt: try row.date(at: first + 6))
    }

    /// Every contact with this E.164 number, oldest first.
    static func fetch(e164: String, _ db: Database) throws -> [Contact] {
        try db.all(
            "SELECT \(columns) FROM contact WHERE mobile_phone_e164 = ? ORDER BY created_at, rowid", [e164]
        ) { try decode($0) }
    }
}

enum ConversationRows {
    /// Conversations with their linked contact (columns `k_*` from column 13, in ``ContactRows/columns``' order,
    /// null when none). ``decode(_:)`` reads them by position.
    static let select = """
        SELECT c.id, c.channel_id, c.medium, c.queue, c.status, c.customer_phone, c.contact_id, c.match_count,
               c.candidate_ids, c.assigned_agent, c.context_json, c.created_at, c.closed_at,
               k.id AS k_id, k.name AS k_name, k.mobile_phone AS k_mobile_phone,
               k.mobile_phone_e164 AS k_mobile_phone_e164, k.region AS k_region, k.attributes AS k_attributes,
               k.created_at AS k_created_at
        FROM conversation c LEFT JOIN contact k ON k.id = c.contact_id
        """

    /// Where the linked contact's columns start in ``select``.
    private static let contactColumns = 13

    static func decode(_ row: Row) throws -> Conversation {
        let contact = try row.hasNull(atIndex: contactColumns) ? nil : ContactRows.decode(row, from: contactColumns)
        let match = ContactMatch(
            count: try row.required(at: 7),
            contact: contact,
            candidateIDs: try StoredJSON.decodeIDs(from: row.required(at: 8), column: "conversation.candidate_ids"))
        return Conversation(
            id: try row.required(at: 0),
            channelID: try row.required(at: 1),
            medium: try row.enumValue(at: 2),
            queue: try row.required(at: 3),
            status: try row.enumValue(at: 4),
            customerPhone: try row.required(at: 5),
            match: match,
            assignedAgent: row.value(at: 9),
            contextJSON: row.value(at: 10),
            createdAt: try row.date(at: 11),
            closedAt: row.optionalDate(at: 12))
    }

    static func fetch(id: String, _ db: Database) throws -> Conversation? {
        try db.first(select + " WHERE c.id = ?", [id], decode)
    }

    /// The open conversation of (channel, customer), if any.
    static func fetchOpen(channelID: String, customerPhone: String, _ db: Database) throws -> Conversation? {
        try db.first(
            select + " WHERE c.channel_id = ? AND c.customer_phone = ? AND c.status = 'open'",
            [channelID, customerPhone], decode)
    }

    static func insert(_ conversation: Conversation, _ db: Database) throws {
        try db.run(
            """
            INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, contact_id,
                match_count, candidate_ids, assigned_agent, context_json, created_at, closed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                conversation.id, conversation.channelID, conversation.medium.rawValue, conversation.queue,
                conversation.status.rawValue, conversation.customerPhone, conversation.match.contact?.id,
                conversation.match.count, try StoredJSON.encodeIDs(conversation.match.candidateIDs),
                conversation.assignedAgent, conversation.contextJSON, conversation.createdAt.storedMilliseconds,
                conversation.closedAt?.storedMilliseconds,
            ])
    }

    static func updateMatch(conversationID: String, _ match: ContactMatch, _ db: Database) throws {
        try db.run(
            "UPDATE conversation SET contact_id = ?, match_count = ?, candidate_ids = ? WHERE id = ?",
            [match.contact?.id, match.count, try StoredJSON.encodeIDs(match.candidateIDs), conversationID])
    }
}

enum MessageRows {
    static let select = """
        SELECT id, conversation_id, direction, author, agent_id, text, media, status, error_code, error_message,
               provider_message_id, created_at, updated_at, channel_id
        FROM message
        """

    static func decode(_ row: Row) throws -> Message {
        Message(
            id: try row.required("id"),
            conversationID: try row.required("conversation_id"),
            direction: try row.enumValue("direction"),
            author: try row.enumValue("author"),
            agentID: row.value("agent_id"),
            text: try row.required("text"),
            media: try StoredJSON.decodeMedia(from: row.required("media"), column: "message.media"),
            status: try row.enumValue("status"),
            error: row.providerError("error"),
            providerMessageID: row.value("provider_message_id"),
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }

    static func fetch(id: String, _ db: Database) throws -> Message? {
        try db.row(select + " WHERE id = ?", [id]).map(decode)
    }

    /// The outbound message a provider id names on a channel.
    static func fetchOutbound(channelID: String, providerMessageID: String, _ db: Database) throws -> Message? {
        try db.row(
            select + " WHERE channel_id = ? AND provider_message_id = ? AND direction = 'outbound'",
            [channelID, providerMessageID]
        ).map(decode)
    }

    static func insert(_ message: Message, channelID: String, _ db: Database) throws {
        try db.run(
            """
            INSERT INTO message (id, conversation_id, channel_id, direction, author, agent_id, text, media, status,
                error_code, error_message, provider_message_id, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                message.id, message.conversationID, channelID, message.direction.rawValue, message.author.rawValue,
                message.agentID, message.text, try StoredJSON.encodeMedia(message.media), message.status.rawValue,
                message.error?.code, message.error?.message, message.providerMessageID,
                message.createdAt.storedMilliseconds, message.updatedAt.storedMilliseconds,
            ])
        try appendHistory(
            messageID: message.id, status: message.status, error: message.error, at: message.createdAt, db)
    }

    /// Writes the mutable part of a message (status, error, provider id, updated time).
    static func updateState(_ message: Message, _ db: Database) throws {
        try db.run(
            """
            UPDATE message SET status = ?, error_code = ?, error_message = ?, provider_message_id = ?, updated_at = ?
            WHERE id = ?
            """,
            [
                message.status.rawValue, message.error?.code, message.error?.message, message.providerMessageID,
                message.updatedAt.storedMilliseconds, message.id,
            ])
    }

    static func appendHistory(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail?, at: Date, _ db: Database
    ) throws {
        try db.run(
            "INSERT INTO message_status_history (message_id, status, error_code, error_message, at) VALUES (?, ?, ?, ?, ?)",
            [messageID, status.rawValue, error?.code, error?.message, at.storedMilliseconds])
    }

    /// Applies a status report (``Switchboard/Message/applyingReport(_:error:at:)``) and records the change. Returns the message as stored.
    static func advance(
        _ message: Message, to next: MessageStatus, error: ProviderErrorDetail?, at: Date, _ db: Database
    ) throws -> (message: Message, changed: Bool) {
        guard let (updated, changed) = message.applyingReport(next, error: error, at: at) else {
            return (message, false)
        }
        try updateState(updated, db)
        if changed {
            try appendHistory(messageID: updated.id, status: updated.status, error: updated.error, at: at, db)
        }
        return (updated, changed)
    }
}
