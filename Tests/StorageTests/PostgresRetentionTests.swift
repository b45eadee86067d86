import Foundation
import Switchboard
import Testing

@testable import PostgresStorage

/// What is particular to the PostgreSQL sweep of closed conversations (migration `v11-closed-conversation-sweep`, a
/// function in the server): it never waits for a conversation another transaction holds, and takes it next time.
@Suite("PostgresStore: retention sweep", .timeLimit(.minutes(2)))
struct PostgresRetentionTests {
    @Test func aConversationHeldByAnotherTransactionIsSkippedThenSwept() async throws {
        try await PostgresTestDatabase.withStore { store in
            var conversations: [Conversation] = []
            for (index, phone) in ["+14155550001", "+14155550002"].enumerated() {
                let first = try await stored(inbound(key: "\(index)", from: phone, receivedAt: at(0)), in: store)
                _ = try await store.closeConversation(id: first.conversation.id, at: at(Double(10 + index)))
                conversations.append(first.conversation)
            }
            // Another transaction holds the older conversation's row until the sweep has run — or 10 s, so that a
            // sweep that waits for it (no SKIP LOCKED) fails the expectations below instead of hanging the test.
            let heldID = conversations[0].id
            let (held, heldContinuation) = AsyncStream<Void>.makeStream()
            let (swept, sweptContinuation) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await store.withSession { db in
                    try await db.run("BEGIN")
                    try await db.run("SELECT id FROM conversation WHERE id = $1 FOR UPDATE", [heldID])
                    heldContinuation.yield()
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            var iterator = swept.makeAsyncIterator()
                            _ = await iterator.next()
                        }
                        group.addTask { try? await Task.sleep(for: .seconds(10)) }
                        await group.next()
                        group.cancelAll()
                    }
                    try await db.run("COMMIT")
                }
            }
            var heldIterator = held.makeAsyncIterator()
            _ = await heldIterator.next()

            let whileHeld = try await store.deleteClosedConversations(closedBefore: at(50), limit: 10)
            sweptContinuation.yield()
            try await holder.value
            #expect(whileHeld == RetentionDeletion(conversations: 1, messages: 1))
            #expect(try await store.conversation(id: conversations[0].id) != nil)
            #expect(try await store.conversation(id: conversations[1].id) == nil)

            #expect(
                try await store.deleteClosedConversations(closedBefore: at(50), limit: 10)
                    == RetentionDeletion(conversations: 1, messages: 1))
            #expect(try await store.conversation(id: conversations[0].id) == nil)
        }
    }
}
