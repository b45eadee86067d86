import Foundation
import Switchboard
import Testing

/// The outbox: enqueue, due items, sending, sent, retry, failure and crash recovery.
@Suite("Store conformance: outbox")
struct OutboxConformanceTests {
    static let throttled = ProviderErrorDetail(code: "429", message: "Too Many Requests")
    static let invalidNumber = ProviderErrorDetail(code: "21211", message: "Invalid 'To' Phone Number")

    @Test(arguments: StoreKind.allCases)
    func enqueueStoresQueuedOutboundMessageAndEntry(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))

            #expect(reply.conversationID == conversation.id)
            #expect(reply.direction == .outbound)
            #expect(reply.author == .agent)
            #expect(reply.agentID == "alice")
            #expect(reply.text == "on it")
            #expect(reply.status == .queued)
            #expect(reply.providerMessageID == nil)
            #expect(reply.createdAt == at(1))
            #expect(try await store.message(id: reply.id) == reply)
            #expect(try await store.messages(conversationID: conversation.id).last == reply)
            #expect(try await store.outboxDepth() == 1)
            #expect(try await store.nextOutboxAttempt() == at(1))

            let due = try await store.dueOutboxItems(now: at(1), limit: 10)
            #expect(due.count == 1)
            let item = try #require(due.first)
            #expect(item.messageID == reply.id)
            #expect(item.conversationID == conversation.id)
            #expect(item.channelID == channel)
            #expect(item.to == customer)
            #expect(item.text == "on it")
            #expect(item.attempts == 0)
            #expect(item.queuedAt == at(1))
            #expect(!item.idempotencyKey.isEmpty)
            #expect(item.lastError == nil)
            #expect(try await store.dueOutboxItems(now: at(0.5), limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func enqueueRefusesUnknownAndClosedConversations(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            await expectSwitchboardError(status: 404, code: "not-found") {
                _ = try await store.enqueueReply(
                    ReplyRecord(conversationID: "conv_unknown", agentID: "alice", text: "hi", createdAt: t0))
            }
            let conversation = try await openConversation(in: store)
            _ = try await store.closeConversation(id: conversation.id, at: at(1))
            await expectSwitchboardError(status: 409, code: "closed") {
                _ = try await store.enqueueReply(
                    ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "hi", createdAt: at(2)))
            }
            #expect(try await store.outboxDepth() == 0)
            #expect(try await store.messages(conversationID: conversation.id).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sendingThenSentEmptiesOutbox(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))

            try await store.markSending(messageID: reply.id, at: at(2))
            #expect(try await store.message(id: reply.id)?.status == .sending)
            // In flight: not due again while its lease runs.
            #expect(try await store.dueOutboxItems(now: at(3), limit: 10).isEmpty)
            #expect(try await store.outboxDepth() == 1)

            let sent = try await store.markSent(messageID: reply.id, providerMessageID: "SM-out-1", at: at(4))
            #expect(sent.status == .sent)
            #expect(sent.providerMessageID == "SM-out-1")
            #expect(sent.updatedAt == at(4))
            #expect(try await store.message(id: reply.id) == sent)
            #expect(try await store.outboxDepth() == 0)
            #expect(try await store.nextOutboxAttempt() == nil)
            #expect(try await store.dueOutboxItems(now: at(1_000), limit: 10).isEmpty)
            #expect(
                try await store.statusHistory(messageID: reply.id) == [
                    MessageStatusChange(messageID: reply.id, status: .queued, error: nil, at: at(1)),
                    MessageStatusChange(messageID: reply.id, status: .sending, error: nil, at: at(2)),
                    MessageStatusChange(messageID: reply.id, status: .sent, error: nil, at: at(4)),
                ])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retryKeepsIdempotencyKeyAndError(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))
            let key = try #require(try await store.dueOutboxItems(now: at(1), limit: 1).first).idempotencyKey

            try await store.markSending(messageID: reply.id, at: at(2))
            try await store.scheduleRetry(messageID: reply.id, nextAttemptAt: at(30), error: Self.throttled)
            // The message does not move back to queued.
            #expect(try await store.message(id: reply.id)?.status == .sending)
            #expect(try await store.nextOutboxAttempt() == at(30))
            #expect(try await store.dueOutboxItems(now: at(29), limit: 10).isEmpty)

            let retry = try #require(try await store.dueOutboxItems(now: at(30), limit: 10).first)
            #expect(retry.messageID == reply.id)
            #expect(retry.attempts == 1)
            #expect(retry.idempotencyKey == key)
            #expect(retry.lastError == Self.throttled)
            #expect(retry.queuedAt == at(1))

            try await store.markSending(messageID: reply.id, at: at(31))
            try await store.scheduleRetry(messageID: reply.id, nextAttemptAt: at(90), error: Self.throttled)
            #expect(try await store.dueOutboxItems(now: at(90), limit: 10).first?.attempts == 2)

            try await store.markSending(messageID: reply.id, at: at(91))
            let failed = try await store.markFailed(
                messageID: reply.id, status: .failed, error: Self.invalidNumber, at: at(92))
            #expect(failed.status == .failed)
            #expect(failed.error == Self.invalidNumber)
            #expect(try await store.message(id: reply.id) == failed)
            #expect(try await store.outboxDepth() == 0)
            #expect(try await store.statusHistory(messageID: reply.id).map(\.status) == [.queued, .sending, .failed])
            #expect(try await !store.isOptedOut(channelID: channel, customer: customer))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failedAsOptedOutMarksCustomer(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))
            try await store.markSending(messageID: reply.id, at: at(2))
            let stop = ProviderErrorDetail(code: "21610", message: "unsubscribed recipient")
            let failed = try await store.markFailed(messageID: reply.id, status: .optedOut, error: stop, at: at(3))
            #expect(failed.status == .optedOut)
            #expect(failed.error == stop)
            #expect(try await store.isOptedOut(channelID: channel, customer: customer))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func entryLeftSendingIsDueAfterLease(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))
            try await store.markSending(messageID: reply.id, at: at(2))

            let leaseEnd = at(2 + Conformance.sendingLease)
            #expect(try await store.dueOutboxItems(now: leaseEnd.addingTimeInterval(-1), limit: 10).isEmpty)
            #expect(try await store.nextOutboxAttempt() == leaseEnd)
            let recovered = try #require(try await store.dueOutboxItems(now: leaseEnd, limit: 10).first)
            #expect(recovered.messageID == reply.id)
            #expect(recovered.attempts == 1)

            try await store.markSending(messageID: reply.id, at: leaseEnd)
            #expect(try await store.dueOutboxItems(now: leaseEnd, limit: 10).isEmpty)
            // Still one `sending` in the history: the repeated attempt is no status change.
            #expect(try await store.statusHistory(messageID: reply.id).map(\.status) == [.queued, .sending])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyOneWorkerClaimsAnEntry(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))
            // Eight workers (on any number of instances) saw the entry due and claim it at once.
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.markSending(messageID: reply.id, at: at(2)) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1)
            #expect(try await store.dueOutboxItems(now: at(3), limit: 10).isEmpty)
            // Held by its lease: a later claim before the lease ends fails too, one after it succeeds.
            #expect(try await !store.markSending(messageID: reply.id, at: at(2 + Conformance.sendingLease - 1)))
            #expect(try await store.markSending(messageID: reply.id, at: at(2 + Conformance.sendingLease)))
            // A retry planned for later cannot be claimed early.
            try await store.scheduleRetry(messageID: reply.id, nextAttemptAt: at(500), error: Self.throttled)
            #expect(try await !store.markSending(messageID: reply.id, at: at(499)))
            #expect(try await store.dueOutboxItems(now: at(500), limit: 10).first?.attempts == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func dueItemsAreOldestFirstAndLimited(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            var ids: [Date: String] = [:]
            for seconds in [3.0, 1.0, 2.0] {
                let reply = try await store.enqueueReply(
                    ReplyRecord(
                        conversationID: conversation.id, agentID: "alice", text: "\(seconds)", createdAt: at(seconds)))
                ids[at(seconds)] = reply.id
            }
            let due = try await store.dueOutboxItems(now: at(10), limit: 10)
            #expect(due.map(\.messageID) == [ids[at(1)], ids[at(2)], ids[at(3)]])
            #expect(Set(due.map(\.idempotencyKey)).count == 3)
            #expect(try await store.dueOutboxItems(now: at(10), limit: 2).map(\.messageID) == [ids[at(1)], ids[at(2)]])
            #expect(try await store.outboxDepth() == 3)
            #expect(try await store.nextOutboxAttempt() == at(1))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func unknownMessagesAreNotFound(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            await expectSwitchboardError(status: 404) { try await store.markSending(messageID: "msg_unknown", at: t0) }
            await expectSwitchboardError(status: 404) {
                _ = try await store.markSent(messageID: "msg_unknown", providerMessageID: "SM", at: t0)
            }
            await expectSwitchboardError(status: 404) {
                try await store.scheduleRetry(messageID: "msg_unknown", nextAttemptAt: t0, error: Self.throttled)
            }
            await expectSwitchboardError(status: 404) {
                _ = try await store.markFailed(messageID: "msg_unknown", status: .failed, error: Self.throttled, at: t0)
            }
        }
    }
}
