import Foundation
import Switchboard
import Testing

/// What survives closing and reopening the database (a restart).
@Suite("Store conformance: restart")
struct RestartConformanceTests {
    @Test(arguments: StoreKind.persistent)
    func dedupeKeysSurviveRestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let first = try await stored(inbound(key: "evt-1"), in: database.open())
            _ = try await database.open().recordDeliveryReport(report(key: "r1", providerID: "SM-x", status: .sent))

            let reopened = try await database.open()
            #expect(
                try await reopened.recordInbound(inbound(key: "evt-1"))
                    == .duplicate(conversationID: first.conversation.id, messageID: first.message.id))
            #expect(
                try await reopened.recordDeliveryReport(report(key: "r1", providerID: "SM-x", status: .sent))
                    == .duplicate)
            #expect(try await reopened.messages(conversationID: first.conversation.id) == [first.message])
        }
    }

    @Test(arguments: StoreKind.persistent)
    func agentEventSequenceSurvivesRestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            do {
                let store = try await database.open()
                for _ in 0..<3 { _ = try await store.appendAgentEvent(agentID: "alice", type: "t", data: "{}", at: t0) }
            }
            let reopened = try await database.open()
            #expect(try await reopened.lastAgentEventSequence(agentID: "alice") == 3)
            #expect(try await reopened.appendAgentEvent(agentID: "alice", type: "t", data: "{}", at: at(1)) == 4)
            #expect(try await reopened.agentEvents(agentID: "alice", after: 0).map(\.sequence) == [1, 2, 3, 4])
        }
    }

    @Test(arguments: StoreKind.persistent)
    func outboxAndPendingReportsSurviveRestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let replyID: String
            do {
                let store = try await database.open()
                let conversation = try await openConversation(in: store)
                let reply = try await store.enqueueReply(
                    ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "hi", createdAt: at(1)))
                try await store.markSending(messageID: reply.id, at: at(2))
                _ = try await store.recordDeliveryReport(report(key: "r1", providerID: "SM-out", status: .delivered))
                replyID = reply.id
            }
            // Crashed mid-request: the entry is due again once its lease ends.
            let reopened = try await database.open()
            let due = try await reopened.dueOutboxItems(now: at(2 + Conformance.sendingLease), limit: 10)
            #expect(due.map(\.messageID) == [replyID])
            let sent = try await reopened.markSent(messageID: replyID, providerMessageID: "SM-out", at: at(100))
            #expect(sent.status == .delivered)
        }
    }
}
