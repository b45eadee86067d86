import Foundation
import Switchboard
import Testing

/// A reply's media (MMS): kept on the message, without a content type, and read back by the outbox — across a
/// restart too, so a reply queued before a crash still goes out with its media.
@Suite("Store conformance: outbound media")
struct OutboundMediaConformanceTests {
    static let urls = ["https://media.example.com/a.jpg", "https://media.example.com/b.pdf?v=2"]
    static let attachments = urls.map { MediaAttachment(url: $0, contentType: nil) }

    @Test(arguments: StoreKind.allCases)
    func mediaIsStoredOnTheMessageAndGivenToTheOutbox(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let plain = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "text only", createdAt: at(1)))
            let reply = try await store.enqueueReply(
                ReplyRecord(
                    conversationID: conversation.id, agentID: "alice", text: "", media: Self.urls, createdAt: at(2)))
            #expect(reply.media == Self.attachments)
            #expect(reply.text == "")
            #expect(try await store.message(id: reply.id)?.media == Self.attachments)
            #expect(try await store.messages(conversationID: conversation.id).last == reply)
            #expect(try await store.message(id: plain.id)?.media == [])

            let due = try await store.dueOutboxItems(now: at(2), limit: 10)
            #expect(due.map(\.messageID) == [plain.id, reply.id])
            #expect(due.map(\.mediaURLs) == [[], Self.urls])
        }
    }

    @Test(arguments: StoreKind.persistent)
    func mediaSurvivesARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            let replyID: String
            do {
                let store = try await database.open()
                let conversation = try await openConversation(in: store)
                replyID = try await store.enqueueReply(
                    ReplyRecord(
                        conversationID: conversation.id, agentID: "alice", text: "see", media: Self.urls,
                        createdAt: at(1))
                ).id
                // Crashed mid-request.
                try await store.markSending(messageID: replyID, at: at(2))
            }
            let reopened = try await database.open()
            let due = try await reopened.dueOutboxItems(now: at(2 + Conformance.sendingLease), limit: 10)
            #expect(due.map(\.messageID) == [replyID])
            #expect(due.first?.mediaURLs == Self.urls)
            let sent = try await reopened.markSent(messageID: replyID, providerMessageID: "MM-out", at: at(100))
            #expect(sent.media == Self.attachments)
        }
    }
}
