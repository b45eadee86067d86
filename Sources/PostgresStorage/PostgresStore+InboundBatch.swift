import Foundation
import PostgresNIO
import Switchboard

// Group commit of inbound messages: concurrent `recordInbound` calls share one transaction and a handful of
// statements (InboundBatchRows), and every caller is answered only once that transaction has committed.

extension PostgresStore {
    /// Stores `record` in the next batch; returns once that batch has committed.
    func recordInboundBatched(_ record: InboundRecord, _ queue: InboundBatchQueue) async throws -> InboundOutcome {
        try await withCheckedThrowingContinuation { continuation in
            if queue.enqueue(.init(record: record, continuation: continuation)) {
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
    private func runInboundBatch(_ calls: [InboundBatchQueue.Call], _ queue: InboundBatchQueue) async {
        // A key twice in one batch (a provider's quick retry): the later copy runs after the batch, alone, and
        // finds the first.
        var keys = Set<BatchKey>()
        var batch: [InboundBatchQueue.Call] = []
        var alone: [InboundBatchQueue.Call] = []
        for call in calls {
            if keys.insert(BatchKey(call.record.channelID, call.record.dedupeKey)).inserted {
                batch.append(call)
            } else {
                alone.append(call)
            }
        }
        let records = batch.map(\.record)
        do {
            let results = try await withSession { session in
                try await Self.inTransaction(session) { db in try await Self.storeInboundBatch(records, db) }
            }
            for (call, result) in zip(batch, results) {
                call.continuation.resume(with: result.mapError { PostgresFailure.mapped($0, url: self.url) })
            }
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
                        call.continuation.resume(returning: try await self.recordInboundAlone(call.record))
                    } catch {
                        call.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// ``recordInbound(_:_:)`` for every record at once (their dedupe keys distinct); outcomes in their order. A
    /// replay guard's refusal fails its record only (its key is given back, as a rolled-back call leaves it).
    static func storeInboundBatch(
        _ records: [InboundRecord], _ db: SQLSession
    ) async throws -> [Result<InboundOutcome, any Error>] {
        let at = records.map { $0.receivedAt.storedPrecision }
        var outcomes = [InboundOutcome?](repeating: nil, count: records.count)

        // 1. The dedupe keys, in one order for every batch.
        let byKey = records.indices.sorted {
            (records[$0].channelID, records[$0].dedupeKey) < (records[$1].channelID, records[$1].dedupeKey)
        }
        let claimedRows = try await db.rows(
            InboundBatchRows.ClaimKeys.self,
            [
                byKey.map { records[$0].channelID }, byKey.map { records[$0].dedupeKey },
                byKey.map { at[$0].storedMilliseconds },
            ])
        let claimed = Set(try claimedRows.map { BatchKey(try $0.required("channel_id"), try $0.required("key")) })
        let taken = records.indices.filter { !claimed.contains(BatchKey(records[$0].channelID, records[$0].dedupeKey)) }
        if !taken.isEmpty {
            let rows = try await db.rows(
                InboundBatchRows.FindKeys.sql,
                [taken.map { records[$0].channelID }, taken.map { records[$0].dedupeKey }])
            var first: [BatchKey: DedupeKeys.Entry] = [:]
            for row in rows {
                first[BatchKey(try row.required("channel_id"), try row.required("key"))] = DedupeKeys.Entry(
                    conversationID: try row.optional("conversation_id"), messageID: try row.optional("message_id"))
            }
            for index in taken {
                let entry = first[BatchKey(records[index].channelID, records[index].dedupeKey)]
                outcomes[index] = .duplicate(conversationID: entry?.conversationID, messageID: entry?.messageID)
            }
        }
        // Replay guards, after the claim as one by one; a nonce taken earlier in the batch counts.
        var refusals: [Int: SwitchboardError] = [:]
        for index in records.indices where outcomes[index] == nil {
            guard let replay = records[index].replayGuard else { continue }
            let record = records[index]
            do {
                try await ReplayNonces.check(
                    replay, channelID: record.channelID, eventKey: "inbound:" + record.dedupeKey, at: at[index], db)
            } catch let refusal as SwitchboardError {
                refusals[index] = refusal
                try await db.run(InboundBatchRows.ReleaseKey.sql, [record.channelID, record.dedupeKey])
            }
        }
        func results() -> [Result<InboundOutcome, any Error>] {
            records.indices.map { index in
                if let refusal = refusals[index] { return .failure(refusal) }
                return .success(outcomes[index]!)
            }
        }
        let stored = records.indices.filter { outcomes[$0] == nil && refusals[$0] == nil }
        guard !stored.isEmpty else { return results() }

        // 2. The customers' contacts and open conversations (locked); 3. conversations for the others.
        let matches = try await contactMatches(stored.map { records[$0] }, db)
        var customers: [BatchKey] = []
        var firstRecord: [BatchKey: Int] = [:]
        for index in stored {
            let customer = BatchKey(records[index].channelID, records[index].customerPhone)
            if firstRecord[customer] == nil {
                firstRecord[customer] = index
                customers.append(customer)
            }
        }
        var open = try await openConversationsLocked(customers, matches: matches, db)
        let missing = customers.filter { open[$0] == nil }.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
        var opened = Set<BatchKey>()
        if !missing.isEmpty {
            let new = missing.map { customer in
                let record = records[firstRecord[customer]!]
                return Conversation(
                    id: RecordID.make("conv"), channelID: record.channelID, medium: record.medium, queue: record.queue,
                    status: .open, customerPhone: record.customerPhone, match: matches[customer.second] ?? .none,
                    createdAt: at[firstRecord[customer]!])
            }
            let inserted = Set(
                try await db.rows(
                    InboundBatchRows.InsertOpen.self,
                    [
                        new.map(\.id), new.map(\.channelID), new.map(\.medium.rawValue), new.map(\.queue),
                        new.map(\.customerPhone), new.map { $0.match.contact?.id ?? "" },
                        new.map { Int64($0.match.count) },
                        try new.map { try StoredJSON.encodeIDs($0.match.candidateIDs) },
                        new.map(\.createdAt.storedMilliseconds),
                    ]
                ).map { row -> String in try row.required("id") })
            for (customer, conversation) in zip(missing, new) where inserted.contains(conversation.id) {
                open[customer] = conversation
                opened.insert(customer)
            }
            // Another transaction opened one for a customer in the meantime: continue that one.
            let lost = missing.filter { open[$0] == nil }
            if !lost.isEmpty {
                open.merge(try await openConversationsLocked(lost, matches: matches, db)) { first, _ in first }
            }
        }

        // 4. The messages, in arrival order.
        var messages: [Message] = []
        var keys: [String] = []
        for index in stored {
            let record = records[index]
            let customer = BatchKey(record.channelID, record.customerPhone)
            guard let conversation = open[customer] else {
                throw SwitchboardError.unavailable(
                    "database busy: the open conversation of a customer on channel \(record.channelID) kept changing; retry"
                )
            }
            let message = Message(
                id: RecordID.make("msg"), conversationID: conversation.id, direction: .inbound, author: record.author,
                text: record.text, media: record.media, status: .received, providerMessageID: record.providerMessageID,
                createdAt: at[index], updatedAt: at[index])
            messages.append(message)
            keys.append(record.dedupeKey)
            outcomes[index] = .stored(
                conversation: conversation, message: message,
                openedConversation: opened.contains(customer) && firstRecord[customer] == index)
        }
        try await db.run(
            InboundBatchRows.InsertMessages.sql,
            [
                messages.map(\.id), messages.map(\.conversationID), stored.map { records[$0].channelID },
                messages.map(\.author.rawValue), messages.map(\.text),
                try messages.map { try StoredJSON.encodeMedia($0.media) },
                messages.map { $0.providerMessageID ?? "" }, messages.map(\.createdAt.storedMilliseconds), keys,
            ])
        try await insertCoreEvents(
            stored.compactMap { index -> [CoreEvent]? in
                guard case .stored(let conversation, let message, let opened) = outcomes[index] else { return nil }
                return records[index].coreEvents?.render(conversation, message, opened)
            }.flatMap { $0 }, db)
        return results()
    }

    /// Remote core mode: the batch's events, in order, each conversation queued.
    private static func insertCoreEvents(_ events: [CoreEvent], _ db: SQLSession) async throws {
        guard !events.isEmpty else { return }
        var firstAt: [String: Int64] = [:]
        for event in events where firstAt[event.conversationID] == nil {
            firstAt[event.conversationID] = event.createdAt.storedMilliseconds
        }
        let conversations = firstAt.keys.sorted()
        try await db.run(
            InboundBatchRows.EnqueueConversations.self, [conversations, conversations.map { firstAt[$0]! }])
        try await db.run(
            InboundBatchRows.InsertEvents.self,
            [
                events.map(\.id), events.map(\.conversationID), events.map(\.type), events.map(\.body),
                events.map(\.createdAt.storedMilliseconds),
            ])
    }

    /// Each phone-number customer's contact match, by number (short codes and alphanumeric senders match none).
    private static func contactMatches(
        _ records: [InboundRecord], _ db: SQLSession
    ) async throws -> [String: ContactMatch] {
        let phones = Array(Set(records.filter(\.customerIsPhoneNumber).map(\.customerPhone)))
        guard !phones.isEmpty else { return [:] }
        var contacts: [String: [Contact]] = [:]
        for row in try await db.rows(InboundBatchRows.Contacts.sql, [phones]) {
            let contact = try ContactRows.decode(row)
            contacts[contact.mobilePhoneE164, default: []].append(contact)
        }
        return Dictionary(uniqueKeysWithValues: phones.map { ($0, ContactMatch(contacts: contacts[$0] ?? [])) })
    }

    /// The open conversations of `customers` (channel, phone), locked, their contact match refreshed when it
    /// changed (contacts imported since the conversation opened count from now on).
    private static func openConversationsLocked(
        _ customers: [BatchKey], matches: [String: ContactMatch], _ db: SQLSession
    ) async throws -> [BatchKey: Conversation] {
        let rows = try await db.rows(
            InboundBatchRows.OpenLocked.sql, [customers.map(\.first), customers.map(\.second)])
        var open: [BatchKey: Conversation] = [:]
        for row in rows {
            var conversation = try ConversationRows.decode(row)
            try await ConversationRows.refreshMatch(&conversation, to: matches[conversation.customerPhone] ?? .none, db)
            open[BatchKey(conversation.channelID, conversation.customerPhone)] = conversation
        }
        return open
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
}
