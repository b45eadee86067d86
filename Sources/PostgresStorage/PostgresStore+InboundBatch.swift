import Foundation
import PostgresNIO
import Switchboard

// Group commit of inbound messages: concurrent `recordInbound` calls share one transaction and a handful of
// statements (InboundBatchRows), and every caller is answered only once that transaction has committed.

extension PostgresStore {
    /// Stores `record` in the next batch; returns once that batch has committed.
    func recordInboundBatched(
        _ record: InboundRecord, claim: CoreEventClaim?, _ queue: InboundBatchQueue
    ) async throws -> InboundOutcome {
        try await withCheckedThrowingContinuation { continuation in
            if queue.enqueue(.init(record: record, claim: claim, continuation: continuation)) {
                Task { await self.runInboundLane(queue) }
            }
        }
    }

    /// Runs batches from `queue` until none waits.
    func runInboundLane(_ queue: InboundBatchQueue) async {
        while let calls = queue.next() { await runInboundBatch(calls, queue) }
    }

    /// Runs one batch. Nothing committed (a deadlock, a lost race, a dead connection, a bad row): each call runs
    /// again on its own, as it would without batching. `COMMIT` failed: whether it took is unknown, so every call
    /// fails `unavailable` and the provider's retry meets the dedupe key if it did.
    private func runInboundBatch(_ calls: [InboundBatchCall], _ queue: InboundBatchQueue) async {
        // A key twice in one batch (a provider's quick retry): the later copy runs after the batch, alone, and
        // finds the first.
        var keys = Set<BatchKey>()
        var batch: [InboundBatchCall] = []
        var alone: [InboundBatchCall] = []
        for call in calls {
            if keys.insert(call.record.batchKey).inserted {
                batch.append(call)
            } else {
                alone.append(call)
            }
        }
        let records = batch.map(\.record)
        let claims = batch.map(\.claim)
        do {
            let results = try await withSession { session in
                try await Self.inTransaction(session) { db in
                    try await Self.storeInboundBatch(records, claims: claims, db)
                }
            }
            for (call, result) in zip(batch, results) {
                call.continuation.resume(with: result.mapError { PostgresFailure.mapped($0, url: self.url) })
            }
            countWritten(
                results.count {
                    if case .success(.stored) = $0 { return true }
                    return false
                }, inboundGrowth)
        } catch is NotCommitted {
            alone = batch + alone
        } catch {
            let failure = PostgresFailure.mapped(error, url: url)
            for call in batch { call.continuation.resume(throwing: failure) }
        }
        queue.batchEnded()
        guard !alone.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for call in alone {
                group.addTask {
                    do {
                        call.continuation.resume(
                            returning: try await self.recordInboundAlone(call.record, claim: call.claim))
                    } catch {
                        call.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// ``recordInbound(_:_:claim:)`` for every record at once (their dedupe keys distinct), each with its claim
    /// (`claims`, in the same order); outcomes in their order. A replay guard's refusal fails its record only (its
    /// key is given back, as a rolled-back call leaves it).
    static func storeInboundBatch(
        _ records: [InboundRecord], claims: [CoreEventClaim?], _ db: SQLSession
    ) async throws -> [Result<InboundOutcome, any Error>] {
        for claim in claims { claim?.event = nil }
        let at = records.map { $0.receivedAt.storedPrecision }
        var outcomes = [InboundOutcome?](repeating: nil, count: records.count)
        var refusals: [Int: SwitchboardError] = [:]
        func results() -> [Result<InboundOutcome, any Error>] {
            records.indices.map { index in
                if let refusal = refusals[index] { return .failure(refusal) }
                return .success(outcomes[index]!)
            }
        }

        // 1. Records with a replay guard: the key first, then the guard, as one by one (a redelivery is a
        // duplicate whatever its guard says).
        let guarded = records.indices.filter { records[$0].replayGuard != nil }
        var preclaimed = Set<Int>()
        if !guarded.isEmpty {
            let claimed = try await claimKeys(guarded.map { records[$0] }, at: guarded.map { at[$0] }, db)
            try await answerDuplicates(
                guarded.filter { !claimed.contains(records[$0].batchKey) }, records, &outcomes, db)
            for index in guarded where claimed.contains(records[index].batchKey) {
                let record = records[index]
                do {
                    try await ReplayNonces.check(
                        record.replayGuard, channelID: record.channelID, eventKey: "inbound:" + record.dedupeKey,
                        at: at[index], db)
                    preclaimed.insert(index)
                } catch let refusal as SwitchboardError {
                    refusals[index] = refusal
                    try await db.run(InboundBatchRows.ReleaseKey.sql, [record.channelID, record.dedupeKey])
                }
            }
        }
        let candidates = records.indices.filter { outcomes[$0] == nil && refusals[$0] == nil }
        guard !candidates.isEmpty else { return results() }

        // 2. The customers' contacts and open conversations (locked); a new conversation's id for the others.
        let customers = Set(candidates.map { records[$0].customer }).sorted { $0.ordered < $1.ordered }
        let phones = Set(candidates.filter { records[$0].customerIsPhoneNumber }.map { records[$0].customerPhone })
        let (matches, open) = try await contactsAndOpenConversations(customers, phones: Array(phones), db)
        var conversationIDs: [BatchKey: String] = [:]
        for customer in customers { conversationIDs[customer] = open[customer]?.id ?? RecordID.make("conv") }
        let messageIDs = candidates.map { _ in RecordID.make("msg") }

        // 3. Keys, new conversations, messages: one statement.
        let rows = try await db.rows(
            InboundBatchRows.Store.self,
            storeBindings(
                candidates.map { records[$0] }, at: candidates.map { at[$0] },
                preclaimed: candidates.map(preclaimed.contains), messageIDs: messageIDs,
                conversationIDs: conversationIDs, open: open, matches: matches))
        var claimed = Set<BatchKey>()
        var opened = Set<String>()
        for row in rows {
            let value: String = try row.required("value")
            if try row.required("kind") as String == "key" {
                claimed.insert(BatchKey(try row.required("channel_id"), value))
            } else {
                opened.insert(value)
            }
        }

        // 4. The outcomes: a conversation opened is reported with the customer's first stored message.
        var reported = Set<BatchKey>()
        var links: [(record: InboundRecord, message: Message)] = []
        for (position, index) in candidates.enumerated() {
            let record = records[index]
            guard preclaimed.contains(index) || claimed.contains(record.batchKey) else { continue }
            let customer = record.customer
            let first = reported.insert(customer).inserted
            let conversation =
                open[customer]
                ?? Conversation(
                    id: conversationIDs[customer]!, channelID: record.channelID, medium: record.medium,
                    queue: record.queue, status: .open, customerPhone: record.customerPhone,
                    match: matches[record.customerPhone] ?? .none, createdAt: at[index])
            let message = Message(
                id: messageIDs[position], conversationID: conversation.id, direction: .inbound,
                author: record.author, text: record.text, media: record.media, status: .received,
                providerMessageID: record.providerMessageID, createdAt: at[index], updatedAt: at[index])
            if preclaimed.contains(index) { links.append((record, message)) }
            outcomes[index] = .stored(
                conversation: conversation, message: message,
                openedConversation: first && opened.contains(conversation.id))
        }
        if !links.isEmpty {
            try await db.run(
                InboundBatchRows.LinkKeys.sql,
                [
                    links.map(\.record.channelID), links.map(\.record.dedupeKey),
                    links.map(\.message.conversationID), links.map(\.message.id),
                ])
        }
        try await answerDuplicates(candidates.filter { outcomes[$0] == nil }, records, &outcomes, db)
        // Remote core mode: the batch's events, in order, each conversation queued.
        try await CoreEventRows.insert(
            candidates.flatMap { index -> [CoreEventRows.Entry] in
                guard case .stored(let conversation, let message, let opened) = outcomes[index],
                    let events = records[index].coreEvents?.render(conversation, message, opened)
                else { return [] }
                return CoreEventRows.claimingFirst(events, claims[index])
            }, db)
        return results()
    }

    /// ``InboundBatchRows/Store``'s bindings, one element per record in arrival order.
    private static func storeBindings(
        _ records: [InboundRecord], at: [Date], preclaimed: [Bool], messageIDs: [String],
        conversationIDs: [BatchKey: String], open: [BatchKey: Conversation], matches: [String: ContactMatch]
    ) throws -> [any SQLBindable] {
        let match = records.map { matches[$0.customerPhone] ?? .none }
        return [
            records.map(\.channelID), records.map(\.dedupeKey), at.map(\.storedMilliseconds), preclaimed,
            messageIDs, records.map { conversationIDs[$0.customer]! }, records.map { open[$0.customer] == nil },
            records.map(\.medium.rawValue), records.map(\.queue), records.map(\.customerPhone),
            match.map { $0.contact?.id ?? "" }, match.map { Int64($0.count) },
            try match.map { try StoredJSON.encodeIDs($0.candidateIDs) }, records.map(\.author.rawValue),
            records.map(\.text), try records.map { try StoredJSON.encodeMedia($0.media) },
            records.map(\.providerMessageID),
        ]
    }

    /// Claims the keys of `records` (sorted); the keys that were free.
    private static func claimKeys(
        _ records: [InboundRecord], at: [Date], _ db: SQLSession
    ) async throws -> Set<BatchKey> {
        let byKey = records.indices.sorted { records[$0].batchKey.ordered < records[$1].batchKey.ordered }
        let rows = try await db.rows(
            InboundBatchRows.ClaimKeys.self,
            [
                byKey.map { records[$0].channelID }, byKey.map { records[$0].dedupeKey },
                byKey.map { at[$0].storedMilliseconds },
            ])
        return Set(try rows.map { BatchKey(try $0.required("channel_id"), try $0.required("key")) })
    }

    /// The records at `indices` found their keys taken: each is answered with what the first delivery produced.
    private static func answerDuplicates(
        _ indices: [Int], _ records: [InboundRecord], _ outcomes: inout [InboundOutcome?], _ db: SQLSession
    ) async throws {
        guard !indices.isEmpty else { return }
        let rows = try await db.rows(
            InboundBatchRows.FindKeys.sql,
            [indices.map { records[$0].channelID }, indices.map { records[$0].dedupeKey }])
        var first: [BatchKey: DedupeKeys.Entry] = [:]
        for row in rows {
            first[BatchKey(try row.required("channel_id"), try row.required("key"))] = DedupeKeys.Entry(
                conversationID: try row.optional("conversation_id"), messageID: try row.optional("message_id"))
        }
        for index in indices {
            let entry = first[records[index].batchKey]
            outcomes[index] = .duplicate(conversationID: entry?.conversationID, messageID: entry?.messageID)
        }
    }

    /// The customers' contact matches, by number (short codes and alphanumeric senders match none), and their open
    /// conversations (`customers` sorted), locked in that order, each one's contact match refreshed when it changed
    /// (contacts imported since the conversation opened count from now on): one round trip.
    private static func contactsAndOpenConversations(
        _ customers: [BatchKey], phones: [String], _ db: SQLSession
    ) async throws -> (matches: [String: ContactMatch], open: [BatchKey: Conversation]) {
        let rows = try await db.rows(
            InboundBatchRows.ContactsAndOpen.self, [customers.map(\.first), customers.map(\.second), phones])
        var contacts: [String: [Contact]] = [:]
        var conversations: [Conversation] = []
        for row in rows {
            if try row.required("part") as String == "contact" {
                let contact = try ContactRows.decode(row, prefix: "k_")
                contacts[contact.mobilePhoneE164, default: []].append(contact)
            } else {
                conversations.append(try ConversationRows.decode(row))
            }
        }
        let matches = Dictionary(uniqueKeysWithValues: phones.map { ($0, ContactMatch(contacts: contacts[$0] ?? [])) })
        var open: [BatchKey: Conversation] = [:]
        for var conversation in conversations {
            try await ConversationRows.refreshMatch(&conversation, to: matches[conversation.customerPhone] ?? .none, db)
            open[BatchKey(conversation.channelID, conversation.customerPhone)] = conversation
        }
        return (matches, open)
    }
}

/// Two strings that name a row together: (channel, dedupe key) or (channel, customer).
struct BatchKey: Hashable, Sendable {
    var first: String
    var second: String

    init(_ first: String, _ second: String) {
        self.first = first
        self.second = second
    }

    /// The order rows are written and locked in.
    var ordered: (String, String) { (first, second) }
}

extension InboundRecord {
    /// (channel, dedupe key).
    var batchKey: BatchKey { BatchKey(channelID, dedupeKey) }
    /// (channel, customer).
    var customer: BatchKey { BatchKey(channelID, customerPhone) }
}
