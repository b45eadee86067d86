import Foundation
import GRDB
import Switchboard

// Contacts, conversations, messages and opt-outs: the record reads and the small updates of the agent API.

extension SQLiteStore {
    // MARK: Contacts

    /// - Throws: ``SwitchboardError`` `409 contact-exists` when the id is taken.
    public func createContact(_ contact: Contact) async throws {
        let arguments = try ContactRows.arguments(contact)
        let inserted = try await write { db in
            try db.run(ContactRows.insertSQL + " ON CONFLICT (id) DO NOTHING", arguments)
            return db.changesCount > 0
        }
        guard inserted else {
            throw SwitchboardError.conflict("contact-exists", "contact \(contact.id) already exists")
        }
    }

    /// Contacts whose id is already stored are skipped (not counted).
    @discardableResult
    public func importContacts(_ contacts: [Contact]) async throws -> Int {
        let rows = try contacts.map(ContactRows.arguments)
        return try await write { db in
            // One statement for the whole batch rather than a cache lookup by SQL text (built anew) for every row.
            let statement = try db.cachedStatement(sql: ContactRows.insertSkippingTakenIDsSQL)
            var inserted = 0
            for arguments in rows {
                try statement.execute(arguments: arguments)
                inserted += db.changesCount
            }
            return inserted
        }
    }

    public func contact(id: String) async throws -> Contact? {
        try await read { db in
            try db.row("SELECT \(ContactRows.columns) FROM contact WHERE id = ?", [id]).map {
                try ContactRows.decode($0)
            }
        }
    }

    public func contacts(mobilePhoneE164: String) async throws -> [Contact] {
        try await read { db in try ContactRows.fetch(e164: mobilePhoneE164, db) }
    }

    public func updateContact(_ contact: Contact) async throws -> Bool {
        let attributes = try ContactRows.encodeAttributes(contact.attributes)
        return try await write { db in
            try db.run(
                """
                UPDATE contact SET name = ?, mobile_phone = ?, mobile_phone_e164 = ?, region = ?, attributes = ?
                WHERE id = ?
                """,
                [
                    contact.name, contact.mobilePhone, contact.mobilePhoneE164, contact.region, attributes,
                    contact.id,
                ])
            return db.changesCount > 0
        }
    }

    public func deleteContact(id: String) async throws -> Bool {
        try await write { db in
            // Linked conversations unlink (ON DELETE SET NULL) and are matched again at their next message.
            try db.run("DELETE FROM contact WHERE id = ?", [id])
            return db.changesCount > 0
        }
    }

    // MARK: Conversations

    public func conversation(id: String) async throws -> Conversation? {
        try await read { db in try ConversationRows.fetch(id: id, db) }
    }

    public func conversations(matching filter: ConversationFilter) async throws -> [Conversation] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let channelID = filter.channelID {
            conditions.append("c.channel_id = ?")
            arguments += [channelID]
        }
        if let customerPhone = filter.customerPhone {
            conditions.append("c.customer_phone = ?")
            arguments += [customerPhone]
        }
        if let status = filter.status {
            conditions.append("c.status = ?")
            arguments += [status.rawValue]
        }
        if let assignedAgent = filter.assignedAgent {
            conditions.append("c.assigned_agent = ?")
            arguments += [assignedAgent]
        }
        arguments += [max(0, filter.limit)]
        // At most 16 shapes of this statement exist, so caching them is bounded.
        let sql =
            ConversationRows.select + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY c.created_at DESC, c.rowid DESC LIMIT ?"
        let finalArguments = arguments
        return try await read { db in try db.rows(sql, finalArguments).map(ConversationRows.decode) }
    }

    public func messages(conversationID: String) async throws -> [Message] {
        try await read { db in
            try db.rows(MessageRows.select + " WHERE conversation_id = ? ORDER BY created_at, rowid", [conversationID])
                .map(MessageRows.decode)
        }
    }

    public func message(id: String) async throws -> Message? {
        try await read { db in try MessageRows.fetch(id: id, db) }
    }

    public func statusHistory(messageID: String) async throws -> [MessageStatusChange] {
        try await read { db in
            try db.rows(
                """
                SELECT status, error_code, error_message, at FROM message_status_history
                WHERE message_id = ? ORDER BY rowid
                """,
                [messageID]
            ).map { row in
                MessageStatusChange(
                    messageID: messageID, status: try row.enumValue("status"), error: row.providerError("error"),
                    at: try row.date("at"))
            }
        }
    }

    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown conversation.
    public func assignConversation(id: String, to agentID: String?) async throws {
        let updated = try await write { db in
            try db.run("UPDATE conversation SET assigned_agent = ? WHERE id = ?", [agentID, id])
            return db.changesCount > 0
        }
        guard updated else { throw SwitchboardError.notFound("conversation \(id) does not exist") }
    }

    /// One savepoint of the shared transaction for all of them, each conversation's last change only; if it
    /// fails, one by one.
    public func assignConversations(_ changes: [ConversationAssignment]) async -> [(any Error)?] {
        guard !changes.isEmpty else { return [] }
        let final = changes.lastChangePerConversation
        do {
            let missing = try await write { db in
                var missing: Set<String> = []
                for change in final {
                    try db.run(
                        "UPDATE conversation SET assigned_agent = ? WHERE id = ?",
                        [change.agentID, change.conversationID])
                    if db.changesCount == 0 { missing.insert(change.conversationID) }
                }
                return missing
            }
            return changes.errors(missing: missing)
        } catch {
            return await assignConversationsOneByOne(changes)
        }
    }

    public func closeConversation(id: String, at: Date) async throws -> Conversation? {
        let closedAt = at.storedMilliseconds
        return try await write { db in
            try db.run(
                "UPDATE conversation SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                [closedAt, id])
            return try ConversationRows.fetch(id: id, db)
        }
    }

    // MARK: Opt-out

    public func isOptedOut(channelID: String, customer: String) async throws -> Bool {
        try await read { db in
            try db.row("SELECT 1 FROM opt_out WHERE channel_id = ? AND customer = ?", [channelID, customer]) != nil
        }
    }

    public func setOptedOut(channelID: String, customer: String, optedOut: Bool, at: Date) async throws {
        let at = at.storedPrecision
        try await write { db in
            if optedOut {
                try OptOuts.set(channelID: channelID, customer: customer, at: at, db)
            } else {
                try db.run("DELETE FROM opt_out WHERE channel_id = ? AND customer = ?", [channelID, customer])
            }
        }
    }
}
