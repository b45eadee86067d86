import Foundation
import PostgresNIO
import Switchboard

// Concatenated SMS, as in the SQLite store. A group (channel, customer, recipient, reference) has no row of its
// own to lock, so its writers take a transaction-scoped advisory lock on it: the part that completes a group
// counts every other part, even one another instance stored a moment before, and a group is delivered once.

extension PostgresStore {
    public func recordInboundPart(_ record: InboundRecord) async throws -> InboundPartOutcome {
        try await transaction { db in try await Self.recordInboundPart(record, db) }
    }

    /// Instances sweeping at once share the work: a group another transaction holds (being completed or
    /// delivered) is skipped, and a group found empty was delivered meanwhile.
    public func flushConcatenations(
        channelID: String, firstPartBefore cutoff: Date, coreEvents: InboundCoreEvents?
    ) async throws -> [InboundOutcome] {
        try await transaction { db in
            var outcomes: [InboundOutcome] = []
            for group in try await ConcatenationParts.groups(channelID: channelID, firstPartBefore: cutoff, db) {
                guard try await db.tryLock(group.lockKey) else { continue }
                if let outcome = try await ConcatenationParts.deliver(group, coreEvents: coreEvents, db) {
                    outcomes.append(outcome)
                }
            }
            return outcomes
        }
    }

    static func recordInboundPart(_ record: InboundRecord, _ db: SQLSession) async throws -> InboundPartOutcome {
        guard let part = record.concatenation else {
            return .completed(try await recordInbound(record, db))
        }
        let group = ConcatenationParts.Group(
            channelID: record.channelID, customerPhone: record.customerPhone, recipient: part.recipient,
            reference: part.reference)
        try await db.lock(group.lockKey)
        if try await DedupeKeys.find(channelID: record.channelID, kind: .inbound, key: record.dedupeKey, db) != nil {
            return .duplicate
        }
        let at = record.receivedAt.storedPrecision
        try await ReplayNonces.check(
            record.replayGuard, channelID: record.channelID, eventKey: "inbound:" + record.dedupeKey, at: at, db)
        // The same part number under another provider id: the carrier sent the part twice.
        guard try await ConcatenationParts.insert(record, part: part, at: at, db) else { return .duplicate }
        // The part's own id is remembered so a redelivery after the message was assembled changes nothing.
        guard try await DedupeKeys.claim(channelID: record.channelID, kind: .inbound, key: record.dedupeKey, at: at, db)
        else { return .duplicate }
        guard try await ConcatenationParts.count(group, db) >= part.total else { return .waiting }
        guard let outcome = try await ConcatenationParts.deliver(group, coreEvents: record.coreEvents, db) else {
            throw StorageCorruption(what: "concatenated message \(part.reference) has no parts after storing one")
        }
        return .completed(outcome)
    }
}

/// The `concatenation_part` table: parts of concatenated SMS waiting for the rest of their message.
enum ConcatenationParts {
    struct Group: Hashable {
        var channelID: String
        var customerPhone: String
        var recipient: String
        var reference: String
        var arguments: [any SQLBindable] { [channelID, customerPhone, recipient, reference] }
        /// The advisory lock's name (unit separators keep the fields apart).
        var lockKey: String {
            ["concat", channelID, customerPhone, recipient, reference].joined(separator: "\u{1F}")
        }
    }

    static let groupFilter = "channel_id = $1 AND customer_phone = $2 AND recipient = $3 AND reference = $4"

    /// Inserts the part; `false` when the group already has a part with this number.
    static func insert(
        _ record: InboundRecord, part: ConcatenationPart, at: Date, _ db: SQLSession
    ) async throws
        -> Bool
    {
        try await db.run(
            """
            INSERT INTO concatenation_part (channel_id, customer_phone, recipient, reference, part, total, dedupe_key,
                provider_message_id, customer_is_phone_number, medium, queue, text, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING 1
            """,
            [
                record.channelID, record.customerPhone, part.recipient, part.reference, part.part, part.total,
                record.dedupeKey, record.providerMessageID, record.customerIsPhoneNumber, record.medium.rawValue,
                record.queue, record.text, at.storedMilliseconds,
            ]) > 0
    }

    static func count(_ group: Group, _ db: SQLSession) async throws -> Int {
        let count: Int64 =
            try await db.row("SELECT COUNT(*) AS parts FROM concatenation_part WHERE \(groupFilter)", group.arguments)?
            .required("parts") ?? 0
        return Int(count)
    }

    /// The groups of `channelID` whose first part arrived before `cutoff`, oldest first.
    static func groups(channelID: String, firstPartBefore cutoff: Date, _ db: SQLSession) async throws -> [Group] {
        try await db.rows(
            """
            SELECT customer_phone, recipient, reference, MIN(received_at) AS first FROM concatenation_part
            WHERE channel_id = $1 GROUP BY customer_phone, recipient, reference HAVING MIN(received_at) < $2
            ORDER BY first
            """,
            [channelID, cutoff.storedMilliseconds]
        ).map { row in
            Group(
                channelID: channelID, customerPhone: try row.required("customer_phone"),
                recipient: try row.required("recipient"), reference: try row.required("reference"))
        }
    }

    /// Stores the group's parts as one inbound message (missing parts marked) and forgets the parts; `nil` when
    /// the group has no parts left (delivered by another transaction). The caller holds the group's lock.
    static func deliver(
        _ group: Group, coreEvents: InboundCoreEvents?, _ db: SQLSession
    ) async throws -> InboundOutcome? {
        let rows = try await db.rows(
            """
            SELECT part, total, text, received_at, dedupe_key, provider_message_id, customer_is_phone_number, medium,
                   queue
            FROM concatenation_part WHERE \(groupFilter) ORDER BY part
            """,
            group.arguments)
        let parts = try rows.map { row in
            StoredConcatenationPart(
                part: Int(try row.required("part") as Int64), total: Int(try row.required("total") as Int64),
                text: try row.required("text"), receivedAt: try row.date("received_at"),
                dedupeKey: try row.required("dedupe_key"), providerMessageID: try row.required("provider_message_id"),
                customerIsPhoneNumber: try row.required("customer_is_phone_number"),
                medium: try row.enumValue("medium"), queue: try row.required("queue"))
        }
        guard
            var record = ConcatenationPart.assemble(
                parts, channelID: group.channelID, customerPhone: group.customerPhone)
        else { return nil }
        try await db.run("DELETE FROM concatenation_part WHERE \(groupFilter)", group.arguments)
        record.coreEvents = coreEvents
        return try await PostgresStore.recordInbound(record, db)
    }
}
