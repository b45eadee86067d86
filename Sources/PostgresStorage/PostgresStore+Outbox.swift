import Foundation
import PostgresNIO
import Switchboard

// The durable outbox of agent replies, as in the SQLite store: an entry's `next_attempt_at` is when it is due
// (for `sending` entries, the end of the sending lease).
//
// Lock order, the same in every method so that two instances never deadlock: the provider id's advisory lock,
// then the outbox row, then the message row, then the conversation row.

extension PostgresStore {
    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown conversation, `409 closed` for a closed one.
    public func enqueueReply(_ reply: ReplyRecord) async throws -> Message {
        let at = reply.createdAt.storedPrecision
        return try await transaction { db in
            // Shared lock: a close waits until the reply is queued, and then sees it.
            guard
                let conversation = try await ConversationRows.fetchLocked(
                    id: reply.conversationID, mode: "FOR SHARE", db)
            else {
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
            try await MessageRows.insert(message, channelID: conversation.channelID, db)
            try await db.run(
                """
                INSERT INTO outbox (message_id, state, attempts, queued_at, next_attempt_at, idempotency_key)
                VALUES ($1, 'queued', 0, $2, $3, $4)
                """,
                [message.id, at.storedMilliseconds, at.storedMilliseconds, UUID().uuidString.lowercased()])
            return message
        }
    }

    /// A plain read: several instances may list the same entries; ``markSending(messageID:at:)`` decides who
    /// sends each.
    public func dueOutboxItems(now: Date, limit: Int) async throws -> [OutboxItem] {
        let now = now.storedMilliseconds
        return try await read { db in
            try await db.rows(
                """
                SELECT o.message_id, o.attempts, o.queued_at, o.idempotency_key, o.last_error_code,
                       o.last_error_message, m.conversation_id, m.channel_id, m.text, m.media, c.customer_phone
                FROM outbox o
                JOIN message m ON m.id = o.message_id
                JOIN conversation c ON c.id = m.conversation_id
                WHERE o.next_attempt_at <= $1
                ORDER BY o.queued_at, o.seq
                LIMIT $2
                """,
                [now, max(0, limit)]
            ).map { row in
                let attempts: Int64 = try row.required("attempts")
                return OutboxItem(
                    messageID: try row.required("message_id"), conversationID: try row.required("conversation_id"),
                    channelID: try row.required("channel_id"), to: try row.required("customer_phone"),
                    text: try row.required("text"),
                    mediaURLs: try StoredJSON.mediaURLs(from: row.required("media"), column: "message.media"),
                    attempts: Int(attempts),
                    queuedAt: try row.date("queued_at"), idempotencyKey: try row.required("idempotency_key"),
                    lastError: try row.providerError("last_error"))
            }
        }
    }

    public func nextOutboxAttempt() async throws -> Date? {
        try await read { db in
            let row = try await db.row("SELECT MIN(next_attempt_at) AS next FROM outbox")
            return try row?.optionalDate("next")
        }
    }

    public func outboxDepth() async throws -> Int {
        try await read { db in
            let count: Int64 = try await db.row("SELECT COUNT(*) AS depth FROM outbox")?.required("depth") ?? 0
            return Int(count)
        }
    }

    /// Claims a due entry with one conditional `UPDATE`: of several instances claiming it at once, the first
    /// moves its `next_attempt_at` to the end of the lease and the others, waiting on the row, find it not due.
    ///
    /// - Throws: ``SwitchboardError`` `404 not-found` when the message has no outbox entry.
    @discardableResult
    public func markSending(messageID: String, at: Date) async throws -> Bool {
        let at = at.storedPrecision
        let leaseEnd = at.addingTimeInterval(options.sendingLease).storedMilliseconds
        return try await transaction { db in
            let claimed = try await db.run(
                """
                UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = $1
                WHERE message_id = $2 AND next_attempt_at <= $3
                RETURNING 1
                """,
                [leaseEnd, messageID, at.storedMilliseconds])
            guard claimed > 0 else {
                guard try await db.row("SELECT 1 FROM outbox WHERE message_id = $1", [messageID]) != nil else {
                    throw Self.notInOutbox(messageID)
                }
                return false
            }
            guard let message = try await MessageRows.fetchLocked(id: messageID, db) else {
                throw Self.notInOutbox(messageID)
            }
            _ = try await MessageRows.advance(message, to: .sending, error: nil, at: at, db)
            return true
        }
    }

    /// - Throws: ``SwitchboardError`` `404 not-found` for an unknown message.
    public func markSent(messageID: String, providerMessageID: String, at: Date) async throws -> Message {
        let at = at.storedPrecision
        return try await transaction { db in
            // The channel never changes, so it is read before any lock, to take the provider id's lock first.
            guard let channelRow = try await db.row("SELECT channel_id FROM message WHERE id = $1", [messageID]) else {
                throw SwitchboardError.notFound("message \(messageID) does not exist")
            }
            let channelID: String = try channelRow.required("channel_id")
            try await PendingReports.lockProviderID(channelID: channelID, providerMessageID, db)
            try await db.run("SELECT 1 FROM outbox WHERE message_id = $1 FOR UPDATE", [messageID])
            guard var message = try await MessageRows.fetchLocked(id: messageID, db) else {
                throw SwitchboardError.notFound("message \(messageID) does not exist")
            }
            if message.providerMessageID != providerMessageID {
                message.providerMessageID = providerMessageID
                message.updatedAt = at
                try await MessageRows.updateState(message, db)
            }
            // "Unless already advanced": a report applied earlier may have moved it past `sent`.
            message = try await MessageRows.advance(message, to: .sent, error: nil, at: at, db).message
            try await db.run("DELETE FROM outbox WHERE message_id = $1", [messageID])
            return try await PendingReports.applyAll(
                to: message, channelID: channelID, providerMessageID: providerMessageID, db)
        }
    }

    /// The message keeps its status (`sending` does not move back to `queued`); the entry records the error.
    ///
    /// - Throws: ``SwitchboardError`` `404 not-found` when the message has no outbox entry.
    public func scheduleRetry(messageID: String, nextAttemptAt: Date, error: ProviderErrorDetail) async throws {
        let next = nextAttemptAt.storedMilliseconds
        try await transaction { db in
            let updated = try await db.run(
                """
                UPDATE outbox SET state = 'retrying', next_attempt_at = $1, last_error_code = $2,
                    last_error_message = $3
                WHERE message_id = $4
                RETURNING 1
                """,
                [next, error.code, error.message, messageID])
            guard updated > 0 else { throw Self.notInOutbox(messageID) }
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
        return try await transaction { db in
            try await db.run("SELECT 1 FROM outbox WHERE message_id = $1 FOR UPDATE", [messageID])
            guard let message = try await MessageRows.fetchLocked(id: messageID, db) else {
                throw SwitchboardError.notFound("message \(messageID) does not exist")
            }
            let failed = try await MessageRows.advance(message, to: status, error: error, at: at, db).message
            if status == .optedOut,
                let conversation = try await ConversationRows.fetch(id: message.conversationID, db)
            {
                try await OptOuts.set(
                    channelID: conversation.channelID, customer: conversation.customerPhone, at: at, db)
            }
            try await db.run("DELETE FROM outbox WHERE message_id = $1", [messageID])
            return failed
        }
    }

    static func notInOutbox(_ messageID: String) -> SwitchboardError {
        .notFound("message \(messageID) has no pending outbox entry (unknown, already sent or failed)")
    }
}
