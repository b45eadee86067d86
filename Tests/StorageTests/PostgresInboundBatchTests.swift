import Foundation
import Switchboard
import Synchronization
import Testing

@testable import PostgresStorage

/// The group commit of inbound messages on PostgreSQL: a batch stores what each call alone would have stored,
/// answers each call with its own outcome, and a batch that cannot commit leaves every call to run alone.
@Suite("PostgresStore: inbound batches", .timeLimit(.minutes(2)))
struct PostgresInboundBatchTests {
    /// A lone call starts a lane at once; a further lane starts only for a backlog, so that under load batches
    /// stay large rather than split between lanes.
    @Test func anotherLaneStartsOnlyForABacklog() async {
        let queue = InboundBatchQueue(lanes: 2)
        final class Starts: Sendable { let list = Mutex<[Bool]>([]) }
        let started = Starts()
        let calls = InboundBatchQueue.callsForAnotherLane + 4
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<calls {
                group.addTask {
                    _ = try? await withCheckedThrowingContinuation { continuation in
                        // Queued and noted under one lock, so that the list is in the queue's order.
                        started.list.withLock { list in
                            list.append(
                                queue.enqueue(.init(record: inbound(key: "k\(index)"), continuation: continuation)))
                        }
                    }
                }
            }
            while queue.pendingCount < calls { try? await Task.sleep(for: .milliseconds(5)) }
            let waiting = InboundBatchQueue.callsForAnotherLane
            #expect(
                started.list.withLock { $0 }
                    == [true] + Array(repeating: false, count: waiting - 2) + [true] + Array(repeating: false, count: 4)
            )
            while let batch = queue.next() {
                for call in batch { call.continuation.resume(throwing: CancellationError()) }
            }
        }
    }

    @Test func aBatchAnswersEachCallAsIfItHadRunAlone() async throws {
        try await PostgresTestDatabase.withStore { store in
            let earlier = try await stored(inbound(key: "k0", from: "+14155550111"), in: store)
            let alice = "+14155550100"
            let bob = "+14155550101"
            // Bob's contact for his new conversation; the earlier customer's, imported after the conversation
            // opened, counts from this batch on.
            try await store.importContacts([contact("c-bob", phone: bob), contact("c-earlier", phone: "+14155550111")])
            let records = [
                inbound(key: "a1", from: alice, text: "first", receivedAt: at(1)),
                inbound(key: "b1", from: bob, text: "bob", receivedAt: at(1)),
                inbound(key: "a2", from: alice, text: "second", receivedAt: at(2)),
                inbound(key: "s1", from: "ACME", isPhoneNumber: false, text: "short code", receivedAt: at(2)),
                inbound(key: "k0", from: "+14155550111", text: "redelivered"),
                inbound(key: "a1", from: alice, text: "first, again", receivedAt: at(1)),
                inbound(key: "e1", from: "+14155550111", text: "to the open one", receivedAt: at(3)),
            ]
            let outcomes = try await runAsOneBatch(records, on: store).map { try $0.get() }
            func storedOutcome(_ index: Int) throws -> (Conversation, Message, Bool) {
                guard case .stored(let conversation, let message, let opened) = outcomes[index] else {
                    throw UnexpectedOutcome(description: "\(records[index].dedupeKey): \(outcomes[index])")
                }
                return (conversation, message, opened)
            }
            let (a1Conversation, a1, a1Opened) = try storedOutcome(0)
            let (bConversation, _, bOpened) = try storedOutcome(1)
            let (a2Conversation, a2, a2Opened) = try storedOutcome(2)
            let (shortCode, _, shortOpened) = try storedOutcome(3)
            let (continued, _, continuedOpened) = try storedOutcome(6)
            #expect(a1Opened && bOpened && shortOpened)
            #expect(!a2Opened && !continuedOpened)
            #expect(a1Conversation.id == a2Conversation.id)
            #expect(bConversation.match.contact?.id == "c-bob")
            #expect(shortCode.match == .none)
            #expect(continued.id == earlier.conversation.id)
            #expect(earlier.conversation.match == .none && continued.match.contact?.id == "c-earlier")
            // The key stored before the batch and the key repeated inside it answer with what they produced.
            #expect(
                outcomes[4]
                    == .duplicate(conversationID: earlier.conversation.id, messageID: earlier.message.id))
            #expect(outcomes[5] == .duplicate(conversationID: a1Conversation.id, messageID: a1.id))
            #expect(try await store.messages(conversationID: a1Conversation.id).map(\.text) == ["first", "second"])
            #expect(try await store.messages(conversationID: a1Conversation.id) == [a1, a2])
            #expect(try await store.conversations(matching: ConversationFilter()).count == 4)
        }
    }

    /// Remote core mode: a batch writes each stored message's events in the batch, in order per conversation;
    /// a repeated key writes none.
    @Test func aBatchWritesItsCoreEventsInOrder() async throws {
        try await PostgresTestDatabase.withStore { store in
            let render = recordedCoreEvents
            var records = [
                inbound(key: "m1", from: "+14155550100", text: "first"),
                inbound(key: "m2", from: "+14155550101", text: "other"),
                inbound(key: "m3", from: "+14155550100", text: "second", receivedAt: at(1)),
                inbound(key: "m1", from: "+14155550100", text: "first, again"),
            ]
            for index in records.indices { records[index].coreEvents = render }
            _ = try await runAsOneBatch(records, on: store).map { try $0.get() }
            #expect(try await store.coreEventDepth() == 5)
            var delivered: [String: [String]] = [:]
            while case let events = try await store.claimCoreEvents(now: at(5), limit: 10, lease: 60), !events.isEmpty {
                for event in events {
                    delivered[event.conversationID, default: []].append("\(event.type) \(event.body)")
                    try await store.completeCoreEvent(id: event.id)
                }
            }
            #expect(
                Set(delivered.values)
                    == [
                        ["message.received first", "notification.request {}", "message.received second"],
                        ["message.received other", "notification.request {}"],
                    ])
        }
    }

    /// Replay guards inside a batch: a nonce taken earlier in the batch and a stale timestamp refuse their
    /// record only, and give its key back (it can still arrive with a fresh nonce); a stored one's key is linked
    /// to its message.
    @Test func aBatchRefusesReplaysOneByOne() async throws {
        try await PostgresTestDatabase.withStore { store in
            func guarded(_ key: String, nonce: String, outside: Bool = false) -> InboundRecord {
                var record = inbound(key: key, from: "+14155550100", text: key)
                record.replayGuard = ReplayGuard(nonce: nonce, outsideWindow: outside, windowStart: at(-100))
                return record
            }
            let records = [
                guarded("m1", nonce: "n1"), guarded("m2", nonce: "n1"), guarded("m3", nonce: "n3", outside: true),
            ]
            let results = try await runAsOneBatch(records, on: store)
            guard case .success(.stored(let conversation, let m1, _)) = results[0] else {
                Issue.record("m1: \(results[0])")
                return
            }
            // The key its guard claimed before the batch's statement answers a redelivery with what it produced.
            #expect(
                try await store.recordInbound(guarded("m1", nonce: "n1"))
                    == .duplicate(conversationID: conversation.id, messageID: m1.id))
            for (index, code) in [(1, "nonce-reused"), (2, "timestamp-outside-window")] {
                guard case .failure(let error as SwitchboardError) = results[index] else {
                    Issue.record("\(records[index].dedupeKey): \(results[index])")
                    continue
                }
                #expect(error.code == code)
            }
            #expect(try await store.messages(conversationID: conversation.id).map(\.text) == ["m1"])
            _ = try await stored(guarded("m2", nonce: "n2"), in: store)
            _ = try await stored(guarded("m3", nonce: "n4"), in: store)
        }
    }

    /// A row the server refuses (text with a NUL byte) rolls its batch back; the other calls then run alone and
    /// are stored, and only the bad one fails.
    @Test func aBatchThatCannotCommitLeavesEachCallToRunAlone() async throws {
        try await PostgresTestDatabase.withStore { store in
            var records = (0..<6).map { inbound(key: "ok\($0)", from: "+1415555020\($0)", text: "fine \($0)") }
            records.insert(inbound(key: "bad", from: "+14155550299", text: "nul \u{0} byte"), at: 3)
            let results = try await runAsOneBatch(records, on: store)
            for (record, result) in zip(records, results) {
                switch (record.dedupeKey, result) {
                case ("bad", .failure): break
                case ("bad", .success(let outcome)): Issue.record("the NUL text was stored: \(outcome)")
                case (_, .success(.stored)): break
                case (let key, let other): Issue.record("\(key): \(other)")
                }
            }
            #expect(try await store.conversations(matching: ConversationFilter()).count == 6)
        }
    }
    /// Another transaction opens the customer's conversation while the batch runs (not committed when the batch
    /// looks for it, committed while the batch waits to open its own): the batch's statement fails on the message
    /// that names its conversation, the batch rolls back, and the call, run alone, continues the other one.
    @Test func aConversationOpenedMeanwhileIsContinued() async throws {
        try await PostgresTestDatabase.withStore { store in
            let phone = "+14155550300"
            let opening = ConversationOpening(
                channelID: channel, customerPhone: phone, customerIsPhoneNumber: true, medium: .sms,
                queue: "support", at: t0)
            let release = Mutex(false)
            let other = Task {
                try await store.transaction { db in
                    let (conversation, _) = try await PostgresStore.openOrContinue(opening, db)
                    while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                    return conversation
                }
            }
            // The other transaction has inserted its row once the conversation table holds an uncommitted one.
            try await waitUntil(
                store,
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                    + " WHERE c.relname = 'conversation' AND l.mode = 'RowExclusiveLock'")
            let batch = Task {
                try await runAsOneBatch([inbound(key: "m1", from: phone, text: "meanwhile")], on: store)
            }
            try await waitUntil(
                store,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            release.withLock { $0 = true }
            let theirs = try await other.value
            guard case .stored(let conversation, let message, let opened) = try await batch.value[0].get() else {
                Issue.record("the message was not stored")
                return
            }
            #expect(conversation.id == theirs.id && !opened)
            #expect(try await store.messages(conversationID: theirs.id) == [message])
            #expect(try await store.conversations(matching: ConversationFilter()).count == 1)
        }
    }
}

/// Queues `records` as one batch (every call waiting before the lane starts, in the order given, each with its
/// claim in `claims` when given) and runs it on `store`; outcomes in order.
func runAsOneBatch(
    _ records: [InboundRecord], claims: [CoreEventClaim?] = [], on store: PostgresStore
) async throws -> [Result<InboundOutcome, any Error>] {
    let queue = InboundBatchQueue(lanes: 1)
    return await runAsOneBatch(
        records.count, on: queue,
        call: { index, continuation in
            .init(record: records[index], claim: claims.isEmpty ? nil : claims[index], continuation: continuation)
        },
        lane: { await store.runInboundLane(queue) })
}

/// Queues `count` calls on `queue` as one batch (every call waiting before the lane starts, in order: `call` makes
/// the one at an index), runs `lane` once and checks it ran one batch; outcomes in order.
func runAsOneBatch<Call: Sendable, Outcome: Sendable>(
    _ count: Int, on queue: BatchQueue<Call>,
    call: @escaping @Sendable (Int, CheckedContinuation<Outcome, any Error>) -> Call, lane: () async -> Void
) async -> [Result<Outcome, any Error>] {
    await withTaskGroup(of: (Int, Result<Outcome, any Error>).self) { group in
        for index in 0..<count {
            group.addTask {
                do {
                    let outcome = try await withCheckedThrowingContinuation { continuation in
                        _ = queue.enqueue(call(index, continuation))
                    }
                    return (index, .success(outcome))
                } catch {
                    return (index, .failure(error))
                }
            }
            // One call queued at a time, so the batch holds them in the order given (child tasks start in
            // any order: under load a later call could come first and change who opens a conversation).
            while queue.pendingCount <= index { try? await Task.sleep(for: .milliseconds(1)) }
        }
        await lane()
        #expect(queue.batchCount == 1)
        var results = [Result<Outcome, any Error>?](repeating: nil, count: count)
        for await (index, result) in group { results[index] = result }
        return results.map { $0! }
    }
}

/// Polls `countSQL` on its own connection until it counts at least one row (10 s at most).
func waitUntil(_ store: PostgresStore, _ countSQL: String) async throws {
    for _ in 0..<2_000 {
        let count = try await store.withSession { db in try await db.row(countSQL)?.required("count") as Int64? }
        if (count ?? 0) > 0 { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("never true: \(countSQL)")
}
