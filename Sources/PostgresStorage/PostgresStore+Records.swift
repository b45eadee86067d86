import Foundation
import PostgresNIO
import Switchboard

// Contacts, conversations, messages and opt-outs: the record reads and the small updates of the agent API.

extension PostgresStore {
    // MARK: Contacts

    /// - Throws: ``SwitchboardError`` `409 contact-exists` when the id is taken.
    public func createContact(_ contact: Contact) async throws {
        let bindings = SQLSession.bindings(try ContactRows.arguments(contact))
        let inserted = try await transaction { db in
            try await db.rows(ContactRows.insertSQL + " ON CONFLICT (id) DO NOTHING RETURNING 1", bindings: bindings)
                .count > 0
        }
        guard inserted else {
            throw SwitchboardError.conflict("contact-exists", "contact \(contact.id) already exists")
        }
    }

    /// Contacts whose id is already stored are skipped (not counted). One transaction: the rows are streamed
    /// with `COPY … FROM STDIN` into a temporary table, then moved with one `INSERT … SELECT … ON CONFLICT DO
    /// NOTHING` (file order kept in `seq`, the order contacts of one number are listed).
    @discardableResult
    public func importContacts(_ contacts: [Contact]) async throws -> Int {
        guard !contacts.isEmpty else { return 0 }
        let chunks = try ContactCopy.chunks(contacts)
        let imported = try await transaction { db in
            try await db.run(
                """
                CREATE TEMPORARY TABLE contact_import (
                    id TEXT, name TEXT, mobile_phone TEXT, mobile_phone_e164 TEXT, region TEXT, attributes TEXT,
                    created_at BIGINT, position BIGINT
                ) ON COMMIT DROP
                """)
            try await db.copy(into: "contact_import", chunks)
            let row = try await db.row(
                """
                WITH inserted AS (
                    INSERT INTO contact (id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at)
                    SELECT id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at
                    FROM contact_import ORDER BY position
                    ON CONFLICT (id) DO NOTHING
                    RETURNING 1
                )
                SELECT COUNT(*) AS inserted FROM inserted
                """)
            let count: Int64 = try row?.required("inserted") ?? 0
            return Int(count)
        }
        countWritten(imported, contactGrowth)
        return imported
    }

    public func contact(id: String) async throws -> Contact? {
        try await read { db in
            try await db.row("SELECT \(ContactRows.columns) FROM contact WHERE id = $1", [id]).map {
                try ContactRows.decode($0)
            }
        }
    }

    public func contacts(mobilePhoneE164: String) async throws -> [Contact] {
        try await read { db in try await ContactRows.fetch(e164: mobilePhoneE164, db) }
    }

    public func updateContact(_ contact: Contact) async throws -> Bool {
        let attributes = try StoredJSON.encode(contact.attributes)
        return try await transaction { db in
            try await db.run(
                """
                UPDATE contact SET name = $1, mobile_phone = $2, mobile_phone_e164 = $3, region = $4, attributes = $5
                WHERE id = $6 RETURNING 1
                """,
                [contact.name, contact.mobilePhone, contact.mobilePhoneE164, contact.region, attributes, contact.id]
            ) > 0
        }
    }

    public func deleteContact(id: String) async throws -> Bool {
        try await transaction { db in
            // Linked conversations unlink (ON DELETE SET NULL) and are matched again at their next message.
            try await db.run("DELETE FROM contact WHERE id = $1 RETURNING 1", [id]) > 0
        }
    }

    // MARK: Conversations

    public func conversation(id: String) async throws -> Conversation? {
        try await read { db in try await ConversationRows.fetch(id: id, db) }
    }

    public func conversations(matching filter: ConversationFilter) async throws -> [Conversation] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        func condition(_ column: String, _ value: String) {
            arguments.append(value)
            conditions.append("\(column) = $\(arguments.count)")
        }
        if let channelID = filter.channelID { condition("c.channel_id", channelID) }
        if let customerPhone = filter.customerPhone { condition("c.customer_phone", customerPhone) }
        if let status = filter.status { condition("c.status", status.rawValue) }
        if let assignedAgent = filter.assignedAgent { condition("c.assigned_agent", assignedAgent) }
        arguments.append(max(0, filter.limit))
        let sql =
            ConversationRows.select + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY c.created_at DESC, c.seq DESC LIMIT $\(arguments.count)"
        let bindings = SQLSession.bindings(arguments)
        return try await read { db in try await db.rows(sql, bindings: bindings).map(ConversationRows.decode) }
    }

    public func messages(conversationID: String) async throws -> [Message] {
        try await read { db in
            try await db.rows(
                MessageRows.select + " WHERE conversation_id = $1 ORDER BY created_at, seq", [conversationID]
            ).map(MessageRows.decode)
        }
    }

    public func message(id: String) async throws -> Message? {
        try await read { db in try await MessageRows.fetch(id: id, db) }
    }

    public func statusHistory(messageID: String) async throws -> [MessageStatusChange] {
        try await read { db in
            try await db.rows(
                """
                SELECT status, error_code, error_message, at FROM message_status_history
                WHERE message_id = $1 ORDER BY seq
                """,
                [messageID]
            ).map { row in
                MessageStatusChange(
                    messageID: messageID, status: try row.enumValue("status"), error: try row.providerError("error"),
                    at: try row.date("at"))
            }
        }
    }

    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown conversation.
    public func assignConversation(id: String, to agentID: String?) async throws {
        let updated = try await transaction { db in
            try await db.run("UPDATE conversation SET assigned_agent = $1 WHERE id = $2 RETURNING 1", [agentID, id])
                > 0
        }
        guard updated else { throw SwitchboardError.notFound("conversation \(id) does not exist") }
    }

    /// One transaction, each conversation's last change only: the rows locked in id order first (as an inbound
    /// batch locks them, so the two wait for each other rather than deadlock), then one statement; if it fails,
    /// one by one. (Agent ids are never empty, so `''` stands for nobody in the array.)
    public func assignConversations(_ changes: [ConversationAssignment]) async -> [(any Error)?] {
        guard !changes.isEmpty else { return [] }
        let final = changes.lastChangePerConversation.sorted { $0.conversationID < $1.conversationID }
        do {
            let found = try await transaction { db in
                let found = Set(
                    try await db.rows(
                        "SELECT id FROM conversation WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE",
                        [final.map(\.conversationID)]
                    ).map { row -> String in try row.required("id") })
                _ = try await db.run(
                    """
                    UPDATE conversation SET assigned_agent = NULLIF(u.agent_id, '')
                    FROM unnest($1::text[], $2::text[]) AS u(id, agent_id) WHERE conversation.id = u.id
                    """,
                    [final.map(\.conversationID), final.map { $0.agentID ?? "" }])
                return found
            }
            return changes.errors(missing: Set(final.map(\.conversationID)).subtracting(found))
        } catch {
            return await assignConversationsOneByOne(changes)
        }
    }

    public func closeConversation(id: String, at: Date) async throws -> Conversation? {
        let closedAt = at.storedMilliseconds
        return try await transaction { db in
            try await db.run(
                "UPDATE conversation SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'open'",
                [closedAt, id])
            return try await ConversationRows.fetch(id: id, db)
        }
    }

    // MARK: Opt-out

    public func isOptedOut(channelID: String, customer: String) async throws -> Bool {
        try await read { db in
            try await db.row("SELECT 1 FROM opt_out WHERE channel_id = $1 AND customer = $2", [channelID, customer])
                != nil
        }
    }

    public func setOptedOut(channelID: String, customer: String, optedOut: Bool, at: Date) async throws {
        let at = at.storedPrecision
        try await transaction { db in
            if optedOut {
                try await OptOuts.set(channelID: channelID, customer: customer, at: at, db)
            } else {
                try await db.run(
                    "DELETE FROM opt_out WHERE channel_id = $1 AND customer = $2", [channelID, customer])
            }
        }
    }
}
