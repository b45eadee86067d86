import Foundation
import Switchboard
import Testing

/// The retention sweep's deletes (CONTRACT.md §12): by age, in batches of at most `limit` rows, keeping what is
/// newer and replies still in the outbox.
@Suite("Store conformance: retention")
struct RetentionConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func messagesOlderThanTheCutoffGoInBatchesButNotRepliesInTheOutbox(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var received: [Message] = []
            for second in 0..<5 {
                received.append(
                    try await stored(
                        inbound(key: "in-\(second)", text: "m\(second)", receivedAt: at(Double(second))), in: store
                    ).message)
            }
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: received[0].conversationID, agentID: "alice", text: "r", createdAt: at(1)))

            #expect(try await store.deleteMessages(createdBefore: at(3), limit: 2) == 2)
            #expect(try await store.deleteMessages(createdBefore: at(3), limit: 2) == 1)
            #expect(try await store.deleteMessages(createdBefore: at(3), limit: 2) == 0)

            let kept = try await store.messages(conversationID: received[0].conversationID).map(\.id)
            #expect(Set(kept) == [received[3].id, received[4].id, reply.id])
            #expect(try await store.message(id: received[0].id) == nil)
            #expect(try await store.statusHistory(messageID: received[0].id).isEmpty)
            // The conversation itself stays (it is open).
            #expect(try await store.conversation(id: received[0].conversationID)?.status == .open)

            // Once sent, the reply is no longer held back.
            try await store.markSending(messageID: reply.id, at: at(2))
            _ = try await store.markSent(messageID: reply.id, providerMessageID: "SM-r", at: at(2))
            #expect(try await store.deleteMessages(createdBefore: at(3), limit: 10) == 1)
            #expect(try await store.message(id: reply.id) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closedConversationsGoWithTheirMessagesInBatches(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let old = try await stored(inbound(key: "a1", from: "+14155550001", receivedAt: at(0)), in: store)
            _ = try await stored(inbound(key: "a2", from: "+14155550001", receivedAt: at(1)), in: store)
            _ = try await stored(inbound(key: "a3", from: "+14155550001", receivedAt: at(2)), in: store)
            _ = try await store.closeConversation(id: old.conversation.id, at: at(10))
            let recent = try await stored(inbound(key: "b1", from: "+14155550002", receivedAt: at(0)), in: store)
            _ = try await store.closeConversation(id: recent.conversation.id, at: at(100))
            let open = try await stored(inbound(key: "c1", from: "+14155550003", receivedAt: at(0)), in: store)

            let cutoff = at(50)
            #expect(
                try await store.deleteClosedConversations(closedBefore: cutoff, limit: 2)
                    == RetentionDeletion(conversations: 0, messages: 2))
            #expect(
                try await store.deleteClosedConversations(closedBefore: cutoff, limit: 2)
                    == RetentionDeletion(conversations: 1, messages: 1))
            #expect(try await store.deleteClosedConversations(closedBefore: cutoff, limit: 2) == RetentionDeletion())

            #expect(try await store.conversation(id: old.conversation.id) == nil)
            #expect(try await store.messages(conversationID: old.conversation.id).isEmpty)
            #expect(try await store.message(id: old.message.id) == nil)
            #expect(try await store.conversation(id: recent.conversation.id) != nil)
            #expect(try await store.messages(conversationID: recent.conversation.id).count == 1)
            #expect(try await store.conversation(id: open.conversation.id) != nil)
        }
    }

    /// Each conversation goes in the batch that deletes its last messages (both stores sweep conversation by
    /// conversation; see SQLiteRetentionBatchTests).
    @Test(arguments: StoreKind.allCases)
    func aConversationGoesInTheBatchThatDeletesItsLastMessages(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var conversations: [Conversation] = []
            for (index, phone) in ["+14155550001", "+14155550002"].enumerated() {
                let first = try await stored(inbound(key: "\(index)-a", from: phone, receivedAt: at(0)), in: store)
                _ = try await stored(inbound(key: "\(index)-b", from: phone, receivedAt: at(1)), in: store)
                _ = try await store.closeConversation(id: first.conversation.id, at: at(Double(10 + index)))
                conversations.append(first.conversation)
            }
            #expect(
                try await store.deleteClosedConversations(closedBefore: at(50), limit: 3)
                    == RetentionDeletion(conversations: 1, messages: 2))
            #expect(try await store.conversation(id: conversations[0].id) == nil)
            #expect(try await store.messages(conversationID: conversations[1].id).count == 2)
            #expect(
                try await store.deleteClosedConversations(closedBefore: at(50), limit: 3)
                    == RetentionDeletion(conversations: 1, messages: 2))
            #expect(try await store.deleteClosedConversations(closedBefore: at(50), limit: 3) == RetentionDeletion())
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closedConversationsWaitForRepliesInTheOutbox(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "r", createdAt: at(1)))
            _ = try await store.closeConversation(id: conversation.id, at: at(2))
            #expect(
                try await store.deleteClosedConversations(closedBefore: at(50), limit: 10)
                    == RetentionDeletion(conversations: 0, messages: 1))
            #expect(try await store.conversation(id: conversation.id) != nil)
            #expect(try await store.message(id: reply.id) != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oldDedupeKeysAreForgottenSoTheEventCouldBeStoredAgain(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await stored(inbound(key: "old", receivedAt: at(0)), in: store)
            _ = try await stored(inbound(key: "new", receivedAt: at(100)), in: store)
            #expect(try await store.deleteDedupeKeys(createdBefore: at(50), limit: 10) == 1)
            #expect(try await store.deleteDedupeKeys(createdBefore: at(50), limit: 10) == 0)
            guard case .duplicate = try await store.recordInbound(inbound(key: "new", receivedAt: at(101))) else {
                Issue.record("the recent dedupe key was deleted")
                return
            }
            _ = try await stored(inbound(key: "old", receivedAt: at(101)), in: store)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oldReplayNoncesAreForgotten(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            func signed(_ key: String, nonce: String, channelID: String, at time: Date) -> InboundRecord {
                var record = inbound(key: key, channelID: channelID, receivedAt: time)
                record.replayGuard = ReplayGuard(
                    nonce: nonce, outsideWindow: false, windowStart: time.addingTimeInterval(-1000))
                return record
            }
            _ = try await stored(signed("k1", nonce: "n1", channelID: channel, at: at(0)), in: store)
            _ = try await stored(signed("k2", nonce: "n2", channelID: "vonage-eu", at: at(100)), in: store)
            // Within the window a nonce is remembered: another event reusing it is refused.
            await expectSwitchboardError(status: 403, code: "nonce-reused") {
                _ = try await store.recordInbound(signed("k3", nonce: "n1", channelID: channel, at: at(60)))
            }
            #expect(try await store.deleteReplayNonces(seenBefore: at(50), limit: 1) == 1)
            #expect(try await store.deleteReplayNonces(seenBefore: at(50), limit: 1) == 0)
            _ = try await stored(signed("k3", nonce: "n1", channelID: channel, at: at(60)), in: store)
            await expectSwitchboardError(status: 403, code: "nonce-reused") {
                _ = try await store.recordInbound(signed("k4", nonce: "n2", channelID: "vonage-eu", at: at(110)))
            }
        }
    }
}
