import Foundation
import GRDB
import Switchboard

extension SQLiteStore {
    public func recordInbound(_ record: InboundRecord) async throws -> InboundOutcome {
        // The message's first core event, claimed in its transaction, goes to the local sender (CoreEventHandOff).
        try await record.withCoreEventClaim { claim in
            try await write { db in try Self.recordInbound(record, db, claim: claim) }
        }
    }

    public func recordDeliveryReport(_ record: DeliveryReportRecord) async throws -> DeliveryReportOutcome {
        try await write { db in try Self.recordDeliveryReport(record, db) }
    }

    public func openConversation(_ opening: ConversationOpening) async throws -> (Conversation, opened: Bool) {
        try await write { db in try Self.openOrContinue(opening, db) }
    }

    // MARK: Transactions

    /// With `claim`, the message's first core event is claimed until its lease end when it is its conversation's
    /// oldest, and kept in `claim`.
    static func recordInbound(
        _ record: InboundRecord, _ db: Database, claim: CoreEventClaim? = nil
    ) throws -> InboundOutcome {
        claim?.event = nil
        // Dedupe first: a redelivery changes nothing and gets the ids the first delivery produced.
        if let first = try DedupeKeys.find(channelID: record.channelID, kind: .inbound, key: record.dedupeKey, db) {
            return .duplicate(conversationID: first.conversationID, messageID: first.messageID)
        }
        let at = record.receivedAt.storedPrecision
        try ReplayNonces.check(
            record.replayGuard, channelID: record.channelID, eventKey: "inbound:" + record.dedupeKey, at: at, db)
        let (conversation, opened) = try openOrContinue(
            ConversationOpening(
                channelID: record.channelID, customerPhone: record.customerPhone,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue, at: at),
            db)

        let message = Message(
            id: RecordID.make("msg"), conversationID: conversation.id, direction: .inbound, author: record.author,
            text: record.text, media: record.media, status: .received, providerMessageID: record.providerMessageID,
            createdAt: at, updatedAt: at)
        try MessageRows.insert(message, channelID: record.channelID, db)
        try DedupeKeys.insert(
            channelID: record.channelID, kind: .inbound, key: record.dedupeKey, conversationID: conversation.id,
            messageID: message.id, at: at, db)
        if let coreEvents = record.coreEvents {
            let claimed = try CoreEventRows.insert(
                coreEvents.render(conversation, message, opened), claimingFirstUntil: claim?.leaseEnd, db)
            claim?.event = claimed
        }
        return .stored(conversation: conversation, message: message, openedConversation: opened)
    }

    /// Continues the open conversation of (channel, customer) or opens one, refreshing its contact match.
    static func openOrContinue(_ opening: ConversationOpening, _ db: Database) throws -> (Conversation, opened: Bool) {
        let at = opening.at.storedPrecision
        // Short codes and alphanumeric senders are not phone numbers: they match no contact.
        let match =
            opening.customerIsPhoneNumber
            ? ContactMatch(contacts: try ContactRows.fetch(e164: opening.customerPhone, db)) : .none
        if var open = try ConversationRows.fetchOpen(
            channelID: opening.channelID, customerPhone: opening.customerPhone, db)
        {
            // Contacts imported since the conversation opened count from now on.
            if open.match != match {
                open.match = match
                try ConversationRows.updateMatch(conversationID: open.id, match, db)
            }
            return (open, false)
        }
        let conversation = Conversation(
            id: RecordID.make("conv"), channelID: opening.channelID, medium: opening.medium, queue: opening.queue,
            status: .open, customerPhone: opening.customerPhone, match: match, createdAt: at)
        try ConversationRows.insert(conversation, db)
        return (conversation, true)
    }

    static func recordDeliveryReport(_ record: DeliveryReportRecord, _ db: Database) throws -> DeliveryReportOutcome {
        if try DedupeKeys.find(channelID: record.channelID, kind: .report, key: record.dedupeKey, db) != nil {
            return .duplicate
        }
        let at = record.receivedAt.storedPrecision
        try ReplayNonces.check(
            record.replayGuard, channelID: record.channelID, eventKey: "report:" + record.dedupeKey, at: at, db)
        guard
            let message = try MessageRows.fetchOutbound(
                channelID: record.channelID, providerMessageID: record.providerMessageID, db)
        else {
            // The status callback beat the send API's answer: keep it for markSent.
            try PendingReports.insert(record, at: at, db)
            try DedupeKeys.insert(
                channelID: record.channelID, kind: .report, key: record.dedupeKey, conversationID: nil,
                messageID: nil, at: at, db)
            return .pending
        }
        let applied = try applyReport(
            to: message, status: record.status, error: record.error, optedOut: record.optedOut, at: at, db)
        try DedupeKeys.insert(
            channelID: record.channelID, kind: .report, key: record.dedupeKey,
            conversationID: applied.conversation.id, messageID: message.id, at: at, db)
        return .applied(message: applied.message, conversation: applied.conversation, changed: applied.changed)
    }

    /// Applies one report to its message: status forward only, the error kept, an opt-out recorded for the
    /// conversation's customer (the message itself becomes `opted-out` unless it is already final).
    static func applyReport(
        to message: Message, status: MessageStatus, error: ProviderErrorDetail?, optedOut: Bool, at: Date,
        _ db: Database
    ) throws -> (message: Message, conversation: Conversation, changed: Bool) {
        guard let conversation = try ConversationRows.fetch(id: message.conversationID, db) else {
            throw StorageCorruption(what: "message \(message.id) names missing conversation \(message.conversationID)")
        }
        let target: MessageStatus = optedOut ? .optedOut : status
        let advanced = try MessageRows.advance(message, to: target, error: error, at: at, db)
        if optedOut {
            try OptOuts.set(channelID: conversation.channelID, customer: conversation.customerPhone, at: at, db)
        }
        return (advanced.message, conversation, advanced.changed)
    }
}

/// The `dedupe_key` table: provider event ids already handled.
enum DedupeKeys {
    enum Kind: String {
        case inbound
        case report
    }

    struct Entry {
        var conversationID: String?
        var messageID: String?
    }

    static func find(channelID: String, kind: Kind, key: String, _ db: Database) throws -> Entry? {
        try db.row(
            "SELECT conversation_id, message_id FROM dedupe_key WHERE channel_id = ? AND kind = ? AND key = ?",
            [channelID, kind.rawValue, key]
        ).map { Entry(conversationID: $0.value("conversation_id"), messageID: $0.value("message_id")) }
    }

    static func insert(
        channelID: String, kind: Kind, key: String, conversationID: String?, messageID: String?, at: Date,
        _ db: Database
    ) throws {
        try db.run(
            """
            INSERT INTO dedupe_key (channel_id, kind, key, conversation_id, message_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [channelID, kind.rawValue, key, conversationID, messageID, at.storedMilliseconds])
    }
}

/// The `pending_delivery_report` table: reports for provider ids not recorded yet.
enum PendingReports {
    static func insert(_ record: DeliveryReportRecord, at: Date, _ db: Database) throws {
        try db.run(
            """
            INSERT INTO pending_delivery_report (channel_id, provider_message_id, status, error_code, error_message,
                opted_out, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                record.channelID, record.providerMessageID, record.status.rawValue, record.error?.code,
                record.error?.message, record.optedOut, at.storedMilliseconds,
            ])
    }

    /// Applies, in arrival order, the reports waiting for this provider id, and forgets them.
    static func applyAll(
        to message: Message, channelID: String, providerMessageID: String, _ db: Database
    ) throws
        -> Message
    {
        let rows = try db.rows(
            """
            SELECT rowid, status, error_code, error_message, opted_out, received_at FROM pending_delivery_report
            WHERE channel_id = ? AND provider_message_id = ? ORDER BY received_at, rowid
            """,
            [channelID, providerMessageID])
        guard !rows.isEmpty else { return message }
        var message = message
        for row in rows {
            // The report arrived before the send was recorded; its change is recorded no earlier than that,
            // so the history stays in time order.
            let at = max(try row.date("received_at"), message.updatedAt)
            message = try SQLiteStore.applyReport(
                to: message, status: row.enumValue("status"), error: row.providerError("error"),
                optedOut: row.required("opted_out"), at: at, db
            ).message
        }
        try db.run(
            "DELETE FROM pending_delivery_report WHERE channel_id = ? AND provider_message_id = ?",
            [channelID, providerMessageID])
        return message
    }
}

/// The `opt_out` table.
enum OptOuts {
    /// Marks (channel, customer) opted out; the first time is kept.
    static func set(channelID: String, customer: String, at: Date, _ db: Database) throws {
        try db.run(
            "INSERT INTO opt_out (channel_id, customer, opted_out_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [channelID, customer, at.storedMilliseconds])
    }
}

/// The `replay_nonce` table: nonces of signed webhooks within their replay window (``ReplayGuard``).
enum ReplayNonces {
    /// Refuses an event outside its window or reusing a remembered nonce; otherwise remembers the nonce. Runs
    /// after the dedupe check, inside the event's transaction: a refusal rolls back and uses nothing up.
    static func check(_ replay: ReplayGuard?, channelID: String, eventKey: String, at: Date, _ db: Database) throws {
        guard let replay else { return }
        if replay.outsideWindow { throw replay.timestampRefusal(channelID: channelID) }
        guard let nonce = replay.nonce, !nonce.isEmpty else { return }
        let windowStart = replay.windowStart.storedMilliseconds
        if let row = try db.row(
            "SELECT event_key, seen_at FROM replay_nonce WHERE channel_id = ? AND nonce = ?", [channelID, nonce]),
            let seenAt: Int64 = row.value("seen_at"), seenAt >= windowStart,
            let previous: String = row.value("event_key"), previous != eventKey
        {
            throw replay.nonceRefusal(channelID: channelID)
        }
        try db.run(
            """
            INSERT INTO replay_nonce (channel_id, nonce, event_key, seen_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (channel_id, nonce) DO UPDATE SET event_key = excluded.event_key, seen_at = excluded.seen_at
            """,
            [channelID, nonce, eventKey, at.storedMilliseconds])
        // Forget the nonces no request can reuse any more (each write removes what expired since the last one).
        try db.run("DELETE FROM replay_nonce WHERE channel_id = ? AND seen_at < ?", [channelID, windowStart])
    }
}
