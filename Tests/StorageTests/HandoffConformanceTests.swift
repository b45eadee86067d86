import Foundation
import Switchboard
import Testing

/// `recordHandoff`: one transaction opens or continues the conversation, appends the transcript as inbound
/// messages, sets the context and remembers the handoff id; a redelivery changes nothing.
@Suite("Store conformance: bot handoff")
struct HandoffConformanceTests {
    func handoff(
        key: String, medium: Medium = .voice, context: String = #"{"reason":"agent"}"#, receivedAt: Date = t0,
        replayGuard: ReplayGuard? = nil
    ) -> HandoffRecord {
        HandoffRecord(
            channelID: "bot-main", dedupeKey: key, customerPhone: customer, customerIsPhoneNumber: true,
            medium: medium, queue: "support",
            transcript: [
                TranscriptLine(author: .customer, text: "my bill is wrong"),
                TranscriptLine(author: .bot, text: "let me get an agent"),
            ],
            contextJSON: context, receivedAt: receivedAt, replayGuard: replayGuard)
    }

    @Test(arguments: StoreKind.allCases)
    func storesTranscriptAndContextOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            guard case .stored(let conversation, let opened) = try await store.recordHandoff(handoff(key: "h1"))
            else { Issue.record("first handoff not stored"); return }
            #expect(opened)
            #expect(conversation.medium == .voice)
            #expect(conversation.contextJSON == #"{"reason":"agent"}"#)
            #expect(try await store.conversation(id: conversation.id)?.contextJSON == #"{"reason":"agent"}"#)
            let messages = try await store.messages(conversationID: conversation.id)
            #expect(messages.map(\.author) == [.customer, .bot])
            #expect(messages.map(\.text) == ["my bill is wrong", "let me get an agent"])
            #expect(messages.allSatisfy { $0.direction == .inbound && $0.status == .received })

            #expect(try await store.recordHandoff(handoff(key: "h1")) == .duplicate(conversationID: conversation.id))
            #expect(try await store.messages(conversationID: conversation.id).count == 2)

            // A second handoff of the same customer continues the open conversation with the newer context.
            guard
                case .stored(let again, let openedAgain) = try await store.recordHandoff(
                    handoff(key: "h2", context: #"{"reason":"again"}"#, receivedAt: at(5)))
            else { Issue.record("second handoff not stored"); return }
            #expect(again.id == conversation.id)
            #expect(!openedAgain)
            #expect(try await store.conversation(id: conversation.id)?.contextJSON == #"{"reason":"again"}"#)
            #expect(try await store.messages(conversationID: conversation.id).count == 4)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func staleHandoffIsRefusedUnlessStored(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let stale = ReplayGuard(nonce: nil, outsideWindow: true, windowStart: at(-300))
            await expectSwitchboardError(status: 403, code: "timestamp-outside-window") {
                _ = try await store.recordHandoff(handoff(key: "h1", replayGuard: stale))
            }
            #expect(try await store.conversations(matching: ConversationFilter()).isEmpty)
            let fresh = ReplayGuard(nonce: nil, outsideWindow: false, windowStart: at(-300))
            guard
                case .stored(let conversation, _) = try await store.recordHandoff(
                    handoff(key: "h1", replayGuard: fresh))
            else { Issue.record("fresh handoff not stored"); return }
            // A stale redelivery of the stored handoff gets the duplicate's success.
            #expect(
                try await store.recordHandoff(handoff(key: "h1", replayGuard: stale))
                    == .duplicate(conversationID: conversation.id))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func contextIsReplacedAndSurvivesReading(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (conversation, _) = try await store.openConversation(
                ConversationOpening(
                    channelID: channel, customerPhone: customer, customerIsPhoneNumber: true, medium: .voice,
                    queue: "support", at: t0))
            #expect(try await store.setConversationContext(id: conversation.id, contextJSON: #"{"call":{"id":"CA1"}}"#))
            #expect(try await store.conversation(id: conversation.id)?.contextJSON == #"{"call":{"id":"CA1"}}"#)
            #expect(try await !store.setConversationContext(id: "conv_missing", contextJSON: "{}"))
        }
    }
}
