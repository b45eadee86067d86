import Foundation
import GRDB
import Switchboard

extension SQLiteStore {
    public func recordInboundPart(_ record: InboundRecord) async throws -> InboundPartOutcome {
        try await write { db in try Self.recordInboundPart(record, db) }
    }

    public func flushConcatenations(
        channelID: String, firstPartBefore cutoff: Date, coreEvents: InboundCoreEvents?
    ) async throws -> [InboundOutcome] {
        try await write { db in
            var outcomes: [InboundOutcome] = []
            for group in try ConcatenationParts.groups(channelID: channelID, firstPartBefore: cutoff, db) {
                outcomes.append(try ConcatenationParts.deliver(group, coreEvents: coreEvents, db))
            }
            return outcomes
        }
    }

    static func recordInboundPart(_ record: InboundRecord, _ db: Database) throws -> InboundPartOutcome {
        guard let part = record.concatenation else {
            return .completed(try recordInbound(record, db))
        }
        if try DedupeKeys.find(channelID: record.channelID, kind: .inbound, key: record.dedupeKey, db) != nil {
            return .duplicate
        }
        let at = record.receivedAt.storedPrecision
        try ReplayNonces.check(
            record.replayGuard, channelID: record.channelID, eventKey: "inbound:" + record.dedupeKey, at: at, db)
        let group = ConcatenationParts.Group(
            channelID: record.channelID, customerPhone: record.customerPhone, recipient: part.recipient,
            reference: part.reference)
        // The same part number under another provider id: the carrier sent the part twice.
        guard try ConcatenationParts.insert(record, part: part, at: at, db) else { return .duplicate }
        // The part's own id is remembered so a redelivery after the message was assembled changes nothing.
        try DedupeKeys.insert(
            channelID: record.channelID, kind: .inbound, key: record.dedupeKey, conversationID: nil, messageID: nil,
            at: at, db)
        guard try ConcatenationParts.count(group, db) >= part.total else { return .waiting }
        return .completed(try ConcatenationParts.deliver(group, coreEvents: record.coreEvents, db))
    }
}

/// The `concatenation_part` table: parts of concatenated SMS waiting for the rest of their message.
enum ConcatenationParts {
    struct Group: Hashable {
        var channelID: String
        var customerPhone: String
        var recipient: String
        var reference: String
        var arguments: StatementArguments { [channelID, customerPhone, recipient, reference] }
    }

    static let groupFilter = "channel_id = ? AND customer_phone = ? AND recipient = ? AND reference = ?"

    /// Inserts the part; `false` when the group already has a part with this number.
    static func insert(_ record: InboundRecord, part: ConcatenationPart, at: Date, _ db: Database) throws -> Bool {
        try db.run(
            """
            INSERT INTO concatenation_part (channel_id, customer_phone, recipient, reference, part, total, dedupe_key,
                provider_message_id, customer_is_phone_number, medium, queue, text, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """,
            [
                record.channelID, record.customerPhone, part.recipient, part.reference, part.part, part.total,
                record.dedupeKey, record.providerMessageID, record.customerIsPhoneNumber, record.medium.rawValue,
                record.queue, record.text, at.storedMilliseconds,
            ])
        return db.changesCount > 0
    }

    static func count(_ group: Group, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM concatenation_part WHERE \(groupFilter)", arguments: group.arguments) ?? 0
    }

    /// The groups of `channelID` whose first part arrived before `cutoff`, oldest first.
    static func groups(channelID: String, firstPartBefore cutoff: Date, _ db: Database) throws -> [Group] {
        try db.rows(
            """
            SELECT customer_phone, recipient, reference, MIN(received_at) AS first FROM concatenation_part
            WHERE channel_id = ? GROUP BY customer_phone, recipient, reference HAVING first < ? ORDER BY first
            """,
            [channelID, cutoff.storedMilliseconds]
        ).map { row in
            Group(
                channelID: channelID, customerPhone: try row.required("customer_phone"),
                recipient: try row.required("recipient"), reference: try row.required("reference"))
        }
    }

    /// Stores the group's parts as one inbound message (missing parts marked) and forgets the parts.
    static func deliver(_ group: Group, coreEvents: InboundCoreEvents?, _ db: Database) throws -> InboundOutcome {
        let rows = try db.rows(
            "SELECT * FROM concatenation_part WHERE \(groupFilter) ORDER BY part", group.arguments)
        let parts = try rows.map { row in
            StoredConcatenationPart(
                part: try row.required("part"), total: try row.required("total"), text: try row.required("text"),
                receivedAt: try row.date("received_at"), dedupeKey: try row.required("dedupe_key"),
                providerMessageID: try row.required("provider_message_id"),
                customerIsPhoneNumber: try row.required("customer_is_phone_number"),
                medium: try row.enumValue("medium"), queue: try row.required("queue"))
        }
        guard
            var record = ConcatenationPart.assemble(
                parts, channelID: group.channelID, customerPhone: group.customerPhone)
        else {
            throw StorageCorruption(what: "concatenated message \(group.reference) has no parts")
        }
        try db.run("DELETE FROM concatenation_part WHERE \(groupFilter)", group.arguments)
        record.coreEvents = coreEvents
        return try SQLiteStore.recordInbound(record, db)
    }
}
