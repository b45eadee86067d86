import Foundation
import GRDB
import Switchboard

// The durable outbox of agent replies. An entry's `next_attempt_at` is when it is due: for `queued` and
// `retrying` entries the planned attempt, for `sending` ones the end of the sending lease, after which the
// attempt is presumed lost with a crashed process and the entry is due again.

extension SQLiteStore {
    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown conversation, `409 closed` for a closed one.
    public func enqueueReply(_ reply: ReplyRecord) async throws -> Message {
        let at = reply.createdAt.storedPrecision
        return try await write { db in
            guard let conversation = try ConversationRows.fetch(id: reply.conversationID, db) else {
                throw SwitchboardError.notFound("conversation \(reply.conversationID) does not exist")
            }
            guard conversation.status == .open else {
                throw SwitchboardError.conflict(
                    "closed", "conversation \(reply.conversationID) is closed; a reply needs an open conversation")
            }
            let message = Message(
                id: RecordID.make("msg"), conversationID: conversation.id, direction: .outbound, author: .agent,
                agentID: reply.agentID, text: reply.text, media: reply.attachments, status: .queued, createdAt: at,
                updatedAt: at)
            try MessageRows.insert(message, channelID: conversation.channelID, db)
            try db.run(
                """
                INSERT INTO outbox (message_id, state, attempts, queued_at, next_attempt_at, idempotency_key)
                VALUES (?, 'queued', 0, ?, ?, ?)
                """,
                [message.id, at.storedMilliseconds, at.storedMilliseconds, UUID().uuidString.lowercased()])
            return message
        }
    }

    public func dueOutboxItems(now: Date, limit: Int) async throws -> [OutboxItem] {
        let now = now.storedMilliseconds
        return try await read { db in
            try db.rows(
                """
                SELECT o.message_id, o.attempts, o.queued_at, o.idempotency_key, o.last_error_code,
                       o.last_error_message, m.conversation_id, m.channel_id, m.text, m.media, c.customer_phone
                FROM outbox o
                JOIN message m ON m.id = o.message_id
                JOIN conversation c ON c.id = m.conversation_id
                WHERE o.next_attempt_at <= ?
                ORDER BY o.queued_at, o.rowid
                LIMIT ?
                """,
                [now, max(0, limit)]
            ).map { row in
                OutboxItem(
                    messageID: try row.required("message_id"), conversationID: try row.required("conversation_id"),
                    channelID: try row.required("channel_id"), to: try row.required("customer_phone"),
                    text: try row.required("text"),
                    mediaURLs: try StoredJSON.mediaURLs(from: row.required("media"), column: "message.media"),
                    attempts: try row.required("attempts"),
                    queuedAt: try row.date("queued_at"), idempotencyKey: try row.required("idempotency_key"),
                    lastError: row.providerError("last_error"))
            }
        }
    }

    public func nextOutboxAttempt() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM outbox"))
                .map(Date.init(storedMilliseconds:))
        }
    }

    public func outboxDepth() async throws -> Int {
        try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox")) ?? 0 }
    }

    /// Claims a due entry: it stays `sending` for ``Options/sendingLease``; past it, it is due again. An entry
    /// not due at `at` (another worker holds its lease, or its retry is later) is left alone: `false`.
    ///
    /// - Throws: ``SwitchboardError`` `404 not-found` when the message has no outbox entry.
    @discardableResult
    public func markSending(messageID: String, at: Date) async throws -> Bool {
        let at = at.storedPrecision
        let leaseEnd = at.addingTimeInterval(options.sendingLease).storedMilliseconds
        return try await write { db in
            try db.run(
                """
                UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?
                WHERE message_id = ? AND next_attempt_at <= ?
                """,
                [leaseEnd, messageID, at.storedMilliseconds])
            guard db.changesCount > 0 else {
                guard
                    try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE message_id = ?", arguments: [messageID])
                        != nil
                else { throw Self.notInOutbox(messageID) }
                return false
            }
            guard let message = try MessageRows.fetch(id: messageID, db) else { throw Self.notInOutbox(messageID) }
            _ = try MessageRows.advance(message, to: .sending, error: nil, at: at, db)
            return true
        }
    }

    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown message.
    public func markSent(messageID: String, providerMessageID: String, at: Date) async throws -> Message {
        let at = at.storedPrecision
        return try await write { db in
            guard let row = try db.row(MessageRows.select + " WHERE id = ?", [messageID]) else {
                throw SwitchboardError.notFound("message \(messageID) does not exist")
            }
            var message = try MessageRows.decode(row)
            let channelID: String = try row.required("channel_id")
            if message.providerMessageID != providerMessageID {
                message.providerMessageID = providerMessageID
                message.updatedAt = at
                try MessageRows.updateState(message, db)
            }
            // "Unless already advanced": a report applied earlier may have moved it past `sent`.
            message = try MessageRows.advance(message, to: .sent, error: nil, at: at, db).message
            try db.run("DELETE FROM outbox WHERE message_id = ?", [messageID])
            return try PendingReports.applyAll(
                to: message, channelID: channelID, providerMessageID: providerMessageID, db)
        }
    }

    /// The message keeps its status (`sending` does not move back to `queued`); the entry records the error.
    ///
    /// - Throws: ``SwitchboardError`` `404 not-found` when the message has no outbox entry.
    public func scheduleRetry(messageID: String, nextAttemptAt: Date, error: ProviderErrorDetail) async throws {
        let next = nextAttemptAt.storedMilliseconds
        try await write { db in
            try db.run(
                """
                UPDATE outbox SET state = 'retrying', next_attempt_at = ?, last_error_code = ?, last_error_message = ?
                WHERE message_id = ?
                """,
                [next, error.code, error.message, messageID])
            guard db.changesCount > 0 else { throw Self.notInOutbox(messageID) }
        }
    }

    /// With `status` `opted-out`, (channel, customer) is marked opted out too, in the same transaction.
    ///
    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown message.
    public func markFailed(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail, at: Date
    )
        async throws -> Message
    {
        let at = at.storedPrecision
        return try await write { db in
            guard let message = try MessageRows.fetch(id: messageID, db) else {
                throw SwitchboardError.notFound("message \(messageID) does not exist")
            }
            let failed = try MessageRows.advance(message, to: status, error: error, at: at, db).message
            if status == .optedOut, let conversation = try ConversationRows.fetch(id: message.conversationID, db) {
                try OptOuts.set(channelID: conversation.channelID, customer: conversation.customerPhone, at: at, db)
            }
            try db.run("DELETE FROM outbox WHERE message_id = ?", [messageID])
            return failed
        }
    }

    static func notInOutbox(_ messageID: String) -> SwitchboardError {
        .notFound("message \(messageID) has no pending outbox entry (unknown, already sent or failed)")
    }
}
