import Foundation
import PostgresNIO
import Switchboard

extension PostgresStore {
    public func recordInbound(_ record: InboundRecord) async throws -> InboundOutcome {
        // The message's first core event, claimed in its transaction, goes to the local sender (CoreEventHandOff).
        try await record.withCoreEventClaim { claim in
            if let inboundBatches {
                return try await recordInboundBatched(record, claim: claim, inboundBatches)
            }
            return try await recordInboundAlone(record, claim: claim)
        }
    }

    /// The message in a transaction of its own (no batch).
    func recordInboundAlone(_ record: InboundRecord, claim: CoreEventClaim?) async throws -> InboundOutcome {
        try await transaction { db in try await Self.recordInbound(record, db, claim: claim) }
    }

    public func recordDeliveryReport(_ record: DeliveryReportRecord) async throws -> DeliveryReportOutcome {
        try await transaction { db in try await Self.recordDeliveryReport(record, db) }
    }

    public func openConversation(_ opening: ConversationOpening) async throws -> (Conversation, opened: Bool) {
        let (conversation, opened) = try await transaction { db in try await Self.openOrContinue(opening, db) }
        return (conversation, opened)
    }

    // MARK: Transactions

    /// With `claim`, the message's first core event is claimed until its lease end when it is its conversation's
    /// oldest, and kept in `claim`.
    static func recordInbound(
        _ record: InboundRecord, _ db: SQLSession, claim: CoreEventClaim? = nil
    ) async throws -> InboundOutcome {
        claim?.event = nil
        // Claim the dedupe key first: a concurrent delivery of the same key (another instance) waits on it here
        // and then finds it taken; a redelivery gets the ids the first delivery produced.
        let at = record.receivedAt.storedPrecision
        // The claim reads the customer's contacts in the same round trip; short codes and alphanumeric senders
        // are not phone numbers and match no contact.
        guard
            let contacts = try await DedupeKeys.claimReadingContacts(
                channelID: record.channelID, kind: .inbound, key: record.dedupeKey, at: at,
                e164: record.customerIsPhoneNumber ? record.customerPhone : nil, db)
        else {
            let first = try await DedupeKeys.find(
                channelID: record.channelID, kind: .inbound, key: record.dedupeKey, db)
            return .duplicate(conversationID: first?.conversationID, messageID: first?.messageID)
        }
        try await ReplayNonces.check(
            record.replayGuard, channelID: record.channelID, eventKey: "inbound:" + record.dedupeKey, at: at, db)
        let (conversation, opened) = try await openOrContinue(
            ConversationOpening(
                channelID: record.channelID, customerPhone: record.customerPhone,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue, at: at),
            match: ContactMatch(contacts: contacts), db)

        let message = Message(
            id: RecordID.make("msg"), conversationID: conversation.id, direction: .inbound, author: record.author,
            text: record.text, media: record.media, status: .received, providerMessageID: record.providerMessageID,
            createdAt: at, updatedAt: at)
        try await MessageRows.insert(
            message, channelID: record.channelID, dedupeLink: (.inbound, record.dedupeKey), db)
        if let coreEvents = record.coreEvents {
            try await CoreEventRows.insert(
                CoreEventRows.claimingFirst(coreEvents.render(conversation, message, opened), claim), db)
        }
        return .stored(conversation: conversation, message: message, openedConversation: opened)
    }

    /// Continues the open conversation of (channel, customer) or opens one, refreshing its contact match. The
    /// open conversation's row stays locked until the transaction ends; of two instances opening one at once,
    /// the partial unique index lets one insert and the other continues the winner's.
    static func openOrContinue(
        _ opening: ConversationOpening, _ db: SQLSession
    ) async throws
        -> (Conversation, opened: Bool)
    {
        // Short codes and alphanumeric senders are not phone numbers: they match no contact.
        let match =
            opening.customerIsPhoneNumber
            ? ContactMatch(contacts: try await ContactRows.fetch(e164: opening.customerPhone, db)) : .none
        return try await openOrContinue(opening, match: match, db)
    }

    /// ``openOrContinue(_:_:)`` with the contact match already read.
    static func openOrContinue(
        _ opening: ConversationOpening, match: ContactMatch, _ db: SQLSession
    ) async throws
        -> (Conversation, opened: Bool)
    {
        let at = opening.at.storedPrecision
        // Two rounds suffice: an insert loses only to a conversation committed before the next read, unless that
        // one was closed in between, which the bounded retry of the whole transaction covers.
        for _ in 0..<3 {
            if var open = try await ConversationRows.fetchOpenLocked(
                channelID: opening.channelID, customerPhone: opening.customerPhone, db)
            {
                try await ConversationRows.refreshMatch(&open, to: match, db)
                return (open, false)
            }
            let conversation = Conversation(
                id: RecordID.make("conv"), channelID: opening.channelID, medium: opening.medium,
                queue: opening.queue, status: .open, customerPhone: opening.customerPhone, match: match, createdAt: at)
            if try await ConversationRows.insertOpen(conversation, db) { return (conversation, true) }
        }
        throw SwitchboardError.unavailable(
            "database busy: the open conversation of a customer on channel \(opening.channelID) kept changing; retry")
    }

    static func recordDeliveryReport(
        _ record: DeliveryReportRecord, _ db: SQLSession
    ) async throws
        -> DeliveryReportOutcome
    {
        let at = record.receivedAt.storedPrecision
        guard try await DedupeKeys.claim(channelID: record.channelID, kind: .report, key: record.dedupeKey, at: at, db)
        else { return .duplicate }
        try await ReplayNonces.check(
            record.replayGuard, channelID: record.channelID, eventKey: "report:" + record.dedupeKey, at: at, db)
        // Serializes with markSent recording this provider id: the report either finds the message or is kept
        // where markSent will find it.
        try await PendingReports.lockProviderID(channelID: record.channelID, record.providerMessageID, db)
        guard
            let message = try await MessageRows.fetchOutboundLocked(
                channelID: record.channelID, providerMessageID: record.providerMessageID, db)
        else {
            // The status callback beat the send API's answer: keep it for markSent.
            try await PendingReports.insert(record, at: at, db)
            return .pending
        }
        let applied = try await applyReport(
            to: message, status: record.status, error: record.error, optedOut: record.optedOut, at: at, db)
        try await DedupeKeys.link(
            channelID: record.channelID, kind: .report, key: record.dedupeKey,
            conversationID: applied.conversation.id, messageID: message.id, db)
        return .applied(message: applied.message, conversation: applied.conversation, changed: applied.changed)
    }

    /// Applies one report to its message (row locked by the caller): status forward only, the error kept, an
    /// opt-out recorded for the conversation's customer.
    static func applyReport(
        to message: Message, status: MessageStatus, error: ProviderErrorDetail?, optedOut: Bool, at: Date,
        _ db: SQLSession
    ) async throws -> (message: Message, conversation: Conversation, changed: Bool) {
        guard let conversation = try await ConversationRows.fetch(id: message.conversationID, db) else {
            throw StorageCorruption(what: "message \(message.id) names missing conversation \(message.conversationID)")
        }
        let target: MessageStatus = optedOut ? .optedOut : status
        let advanced = try await MessageRows.advance(message, to: target, error: error, at: at, db)
        if optedOut {
            try await OptOuts.set(channelID: conversation.channelID, customer: conversation.customerPhone, at: at, db)
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

    enum Find: PreparedSQL {
        static let sql =
            "SELECT conversation_id, message_id FROM dedupe_key WHERE channel_id = $1 AND kind = $2 AND key = $3"
    }

    static func find(channelID: String, kind: Kind, key: String, _ db: SQLSession) async throws -> Entry? {
        try await db.row(Find.self, [channelID, kind.rawValue, key]).map {
            Entry(conversationID: try $0.optional("conversation_id"), messageID: try $0.optional("message_id"))
        }
    }

    /// Records the key as handled; `false` when it already was (or a concurrent transaction that committed it
    /// first did: the insert waits for it).
    static func claim(channelID: String, kind: Kind, key: String, at: Date, _ db: SQLSession) async throws -> Bool {
        try await db.run(Claim.self, [channelID, kind.rawValue, key, at.storedMilliseconds]) > 0
    }

    enum Claim: PreparedSQL {
        static let sql = """
            INSERT INTO dedupe_key (channel_id, kind, key, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING RETURNING 1
            """
    }

    /// ``claim(channelID:kind:key:at:_:)`` and, when the key was free, the contacts with the E.164 number `e164`
    /// (none for `nil`), oldest first, in one statement: `nil` when the key was taken.
    static func claimReadingContacts(
        channelID: String, kind: Kind, key: String, at: Date, e164: String?, _ db: SQLSession
    ) async throws -> [Contact]? {
        let rows = try await db.rows(
            ClaimReadingContacts.self, [channelID, kind.rawValue, key, at.storedMilliseconds, e164])
        guard let first = rows.first else {
            throw StorageCorruption(what: "the dedupe key claim returned no row")
        }
        let claimed: Int64 = try first.required("claimed")
        guard claimed > 0 else { return nil }
        var contacts: [Contact] = []
        for row in rows {
            let id: String? = try row.optional("id")
            if id != nil { contacts.append(try ContactRows.decode(row)) }
        }
        return contacts
    }

    enum ClaimReadingContacts: PreparedSQL {
        static let sql = """
            WITH claimed AS (
                INSERT INTO dedupe_key (channel_id, kind, key, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT DO NOTHING RETURNING 1
            )
            SELECT c.claimed, k.id, k.name, k.mobile_phone, k.mobile_phone_e164, k.region, k.attributes,
                k.created_at
            FROM (SELECT COUNT(*) AS claimed FROM claimed) c
            LEFT JOIN contact k ON c.claimed > 0 AND k.mobile_phone_e164 = $5
            ORDER BY k.created_at, k.seq
            """
    }

    /// Records what a claimed key produced, for the duplicates to answer with.
    static func link(
        channelID: String, kind: Kind, key: String, conversationID: String?, messageID: String?, _ db: SQLSession
    ) async throws {
        try await db.run(Link.self, [channelID, kind.rawValue, key, conversationID, messageID])
    }

    enum Link: PreparedSQL {
        static let sql = """
            UPDATE dedupe_key SET conversation_id = $4, message_id = $5
            WHERE channel_id = $1 AND kind = $2 AND key = $3
            """
    }
}

/// The `pending_delivery_report` table: reports for provider ids not recorded yet.
enum PendingReports {
    /// The lock on a (channel, provider id) that orders a report looking for its message against markSent
    /// recording that id. Taken before any message row lock, in both, so the two never deadlock.
    static func lockProviderID(channelID: String, _ providerMessageID: String, _ db: SQLSession) async throws {
        try await db.lock("provider-id:\(channelID):\(providerMessageID)")
    }

    static func insert(_ record: DeliveryReportRecord, at: Date, _ db: SQLSession) async throws {
        try await db.run(
            """
            INSERT INTO pending_delivery_report (channel_id, provider_message_id, status, error_code, error_message,
                opted_out, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                record.channelID, record.providerMessageID, record.status.rawValue, record.error?.code,
                record.error?.message, record.optedOut, at.storedMilliseconds,
            ])
    }

    /// Applies, in arrival order, the reports waiting for this provider id, and forgets them. The caller holds
    /// the provider id's lock and the message's row lock.
    static func applyAll(
        to message: Message, channelID: String, providerMessageID: String, _ db: SQLSession
    ) async throws -> Message {
        let rows = try await db.rows(
            """
            SELECT status, error_code, error_message, opted_out, received_at FROM pending_delivery_report
            WHERE channel_id = $1 AND provider_message_id = $2 ORDER BY received_at, seq
            """,
            [channelID, providerMessageID])
        guard !rows.isEmpty else { return message }
        var message = message
        for row in rows {
            // The report arrived before the send was recorded; its change is recorded no earlier than that,
            // so the history stays in time order.
            let at = max(try row.date("received_at"), message.updatedAt)
            message = try await PostgresStore.applyReport(
                to: message, status: row.enumValue("status"), error: row.providerError("error"),
                optedOut: row.required("opted_out"), at: at, db
            ).message
        }
        try await db.run(
            "DELETE FROM pending_delivery_report WHERE channel_id = $1 AND provider_message_id = $2",
            [channelID, providerMessageID])
        return message
    }
}

/// The `opt_out` table.
enum OptOuts {
    /// Marks (channel, customer) opted out; the first time is kept.
    static func set(channelID: String, customer: String, at: Date, _ db: SQLSession) async throws {
        try await db.run(
            "INSERT INTO opt_out (channel_id, customer, opted_out_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [channelID, customer, at.storedMilliseconds])
    }
}

/// The `replay_nonce` table: nonces of signed webhooks within their replay window (``ReplayGuard``).
enum ReplayNonces {
    /// Refuses an event outside its window or reusing a remembered nonce; otherwise remembers the nonce. Runs
    /// after the dedupe claim, inside the event's transaction: a refusal rolls back and uses nothing up.
    ///
    /// One upsert decides: it takes the nonce unless the stored row is a live one of another event, so two
    /// instances handed the same nonce at once cannot both accept it (the second waits for the first's row).
    static func check(
        _ replay: ReplayGuard?, channelID: String, eventKey: String, at: Date, _ db: SQLSession
    )
        async throws
    {
        guard let replay else { return }
        if replay.outsideWindow { throw replay.timestampRefusal(channelID: channelID) }
        guard let nonce = replay.nonce, !nonce.isEmpty else { return }
        let windowStart = replay.windowStart.storedMilliseconds
        // The same statement forgets the nonces no request can reuse any more (each write removes what expired
        // since the last one); it leaves this nonce's row to the upsert, so the two never touch one row.
        let taken = try await db.run(Take.self, [channelID, nonce, eventKey, at.storedMilliseconds, windowStart])
        guard taken > 0 else { throw replay.nonceRefusal(channelID: channelID) }
    }

    enum Take: PreparedSQL {
        static let sql = """
            WITH expired AS (DELETE FROM replay_nonce WHERE channel_id = $1 AND seen_at < $5 AND nonce <> $2)
            INSERT INTO replay_nonce (channel_id, nonce, event_key, seen_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (channel_id, nonce) DO UPDATE SET event_key = excluded.event_key, seen_at = excluded.seen_at
            WHERE replay_nonce.seen_at < $5 OR replay_nonce.event_key = excluded.event_key
            RETURNING 1
            """
    }
}
