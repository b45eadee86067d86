import Foundation
import PostgresStorage
import Switchboard
import Testing

/// Two instances (two `PostgresStore`s, two pools) on one database, racing: the read-check-write sequences hold
/// across processes.
@Suite("PostgresStore: two instances racing", .timeLimit(.minutes(2)))
struct PostgresConcurrencyTests {
    /// Runs `body` with two stores on one fresh database.
    func withTwoInstances(_ body: ([PostgresStore]) async throws -> Void) async throws {
        let database = try await PostgresTestDatabase.create()
        do {
            try await body([try await database.open(), try await database.open()])
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }

    @Test func sameDedupeKeyFromManyTasksIsStoredOnce() async throws {
        try await withTwoInstances { stores in
            let outcomes = try await withThrowingTaskGroup(of: InboundOutcome.self) { group in
                for index in 0..<24 {
                    let store = stores[index % 2]
                    group.addTask { try await store.recordInbound(inbound(key: "evt-1", text: "copy \(index)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let stored = outcomes.compactMap { outcome -> Message? in
                if case .stored(_, let message, _) = outcome { return message }
                return nil
            }
            #expect(stored.count == 1)
            let first = try #require(stored.first)
            // Every duplicate names what the one delivery stored.
            #expect(
                outcomes.filter { $0 == .duplicate(conversationID: first.conversationID, messageID: first.id) }.count
                    == 23)
            #expect(try await stores[0].messages(conversationID: first.conversationID) == [first])
        }
    }

    @Test func firstMessagesOfOneCustomerOpenOneConversation() async throws {
        try await withTwoInstances { stores in
            let conversationIDs = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for index in 0..<24 {
                    let store = stores[index % 2]
                    group.addTask {
                        let (conversation, _, opened) = try await stored(inbound(key: "k\(index)"), in: store)
                        return (conversation.id, opened)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(conversationIDs.map(\.0)).count == 1)
            #expect(conversationIDs.filter(\.1).count == 1)
            let conversations = try await stores[1].conversations(matching: ConversationFilter())
            #expect(conversations.count == 1)
            #expect(try await stores[0].messages(conversationID: conversations[0].id).count == 24)
        }
    }

    @Test func agentEventSequencesHaveNoGapsOrRepeats() async throws {
        try await withTwoInstances { stores in
            let count = 60
            let sequences = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<count {
                    let store = stores[index % 2]
                    group.addTask {
                        try await store.appendAgentEvent(agentID: "alice", type: "t", data: "{\"i\":\(index)}", at: t0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(sequences.sorted() == Array(1...Int64(count)))
            #expect(try await stores[1].lastAgentEventSequence(agentID: "alice") == Int64(count))
            #expect(
                try await stores[0].agentEvents(agentID: "alice", after: 0).map(\.sequence) == Array(1...Int64(count)))
        }
    }

    @Test func oneOfManyClaimsOfAnOutboxEntryWins() async throws {
        try await withTwoInstances { stores in
            let conversation = try await openConversation(in: stores[0])
            let reply = try await stores[0].enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "hi", createdAt: at(1)))
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    let store = stores[index % 2]
                    group.addTask { try await store.markSending(messageID: reply.id, at: at(2)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1)
            let item = try #require(
                try await stores[1].dueOutboxItems(now: at(2 + Conformance.sendingLease), limit: 5).first)
            #expect(item.attempts == 1)
            #expect(try await stores[1].statusHistory(messageID: reply.id).map(\.status) == [.queued, .sending])
        }
    }

    @Test func concurrentSweepsDeliverEachIncompleteMessageOnce() async throws {
        try await withTwoInstances { stores in
            for reference in 0..<6 {
                var record = inbound(key: "part-\(reference)", text: "first half ")
                record.concatenation = ConcatenationPart(
                    recipient: "447700900000", reference: "\(reference)", part: 1, total: 2)
                #expect(try await stores[0].recordInboundPart(record) == .waiting)
            }
            let delivered = try await withThrowingTaskGroup(of: [InboundOutcome].self) { group in
                for index in 0..<4 {
                    let store = stores[index % 2]
                    group.addTask { try await store.flushConcatenations(channelID: channel, firstPartBefore: at(60)) }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let messages = delivered.compactMap { outcome -> Message? in
                if case .stored(_, let message, _) = outcome { return message }
                return nil
            }
            // A sweep that finds a group taken skips it; a later sweep finds nothing left.
            let remaining = try await stores[1].flushConcatenations(channelID: channel, firstPartBefore: at(60))
            #expect(messages.count + remaining.count == 6)
            let conversation = try #require(try await stores[0].conversations(matching: ConversationFilter()).first)
            #expect(try await stores[0].messages(conversationID: conversation.id).count == 6)
        }
    }

    @Test func earlyReportRacingMarkSentIsApplied() async throws {
        try await withTwoInstances { stores in
            for round in 0..<8 {
                let conversation = try await openConversation(in: stores[0], key: "in-\(round)")
                let reply = try await stores[0].enqueueReply(
                    ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "hi", createdAt: at(1)))
                try await stores[0].markSending(messageID: reply.id, at: at(2))
                let providerID = "SM-race-\(round)"
                async let sent = stores[0].markSent(messageID: reply.id, providerMessageID: providerID, at: at(3))
                async let reported = stores[1].recordDeliveryReport(
                    report(key: "r-\(round)", providerID: providerID, status: .delivered))
                _ = try await (sent, reported)
                // Whichever came first, the report is applied, not left pending.
                #expect(try await stores[1].message(id: reply.id)?.status == .delivered)
            }
        }
    }
}

extension PostgresConcurrencyTests {
    /// Two instances claiming core events at once: each event is handed to one of them, heads only.
    @Test func twoInstancesClaimEachCoreEventOnce() async throws {
        try await withTwoInstances { stores in
            var events: [CoreEvent] = []
            for conversation in 0..<40 {
                for index in 0..<3 {
                    events.append(
                        CoreEvent(
                            id: "e\(conversation)-\(index)", conversationID: "c\(conversation)", type: "t", body: "{}",
                            createdAt: at(Double(index))))
                }
            }
            try await stores[0].enqueueCoreEvents(events)
            var delivered: [String] = []
            while delivered.count < events.count {
                let claims = try await withThrowingTaskGroup(of: [CoreEvent].self) { group in
                    for store in stores + stores {
                        group.addTask { try await store.claimCoreEvents(now: at(10), limit: 7, lease: 60) }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(Set(claims.map(\.id)).count == claims.count, "an event was claimed twice")
                #expect(Set(claims.map(\.conversationID)).count == claims.count, "two events of one conversation")
                for event in claims {
                    #expect(!delivered.contains(event.id))
                    delivered.append(event.id)
                    try await stores[delivered.count % 2].completeCoreEvent(id: event.id)
                }
            }
            for conversation in 0..<40 {
                #expect(
                    delivered.filter { $0.hasPrefix("e\(conversation)-") } == (0..<3).map { "e\(conversation)-\($0)" })
            }
        }
    }
}
