import Foundation
import Switchboard
import Testing

/// ``ReplayGuard`` inside `recordInbound` and `recordDeliveryReport`: stale events and reused nonces are refused
/// unless the event is already stored; a refusal stores nothing and uses up neither the event id nor the nonce.
@Suite("Store conformance: replay guard")
struct ReplayGuardConformanceTests {
    func guarded(
        _ record: InboundRecord, nonce: String?, outside: Bool = false, windowStart: Date = at(-100)
    )
        -> InboundRecord
    {
        var record = record
        record.replayGuard = ReplayGuard(nonce: nonce, outsideWindow: outside, windowStart: windowStart)
        return record
    }

    @Test(arguments: StoreKind.allCases)
    func staleEventIsRefusedUnlessStored(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            await expectSwitchboardError(status: 403, code: "timestamp-outside-window") {
                _ = try await store.recordInbound(guarded(inbound(key: "m1"), nonce: "n1", outside: true))
            }
            #expect(try await store.conversations(matching: ConversationFilter()).isEmpty)
            // The refusal used up neither the id nor the nonce.
            let first = try await stored(guarded(inbound(key: "m1"), nonce: "n1"), in: store)
            // A stale redelivery of the stored event is its duplicate.
            let again = try await store.recordInbound(guarded(inbound(key: "m1"), nonce: "n9", outside: true))
            #expect(again == .duplicate(conversationID: first.conversation.id, messageID: first.message.id))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reusedNonceIsRefusedWithinTheWindow(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await stored(guarded(inbound(key: "m1"), nonce: "n1"), in: store)
            await expectSwitchboardError(status: 403, code: "nonce-reused") {
                _ = try await store.recordInbound(guarded(inbound(key: "m2", receivedAt: at(5)), nonce: "n1"))
            }
            #expect(try await store.messages(conversationID: first.conversation.id).count == 1)
            // The same event with its nonce again is a duplicate, not a reuse.
            #expect(
                try await store.recordInbound(guarded(inbound(key: "m1", receivedAt: at(6)), nonce: "n1"))
                    == .duplicate(conversationID: first.conversation.id, messageID: first.message.id))
            // The refused m2 can still arrive with a fresh nonce; a nonce is per channel.
            _ = try await stored(guarded(inbound(key: "m2", receivedAt: at(7)), nonce: "n2"), in: store)
            _ = try await stored(
                guarded(inbound(key: "m3", channelID: "vonage-eu", receivedAt: at(8)), nonce: "n1"), in: store)
            // Outside the window the nonce is forgotten.
            _ = try await stored(
                guarded(inbound(key: "m4", receivedAt: at(500)), nonce: "n1", windowStart: at(400)), in: store)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reportsShareTheChannelsNonces(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await stored(guarded(inbound(key: "m1"), nonce: "n1"), in: store)
            var record = report(key: "X:delivered", providerID: "X", status: .delivered)
            record.replayGuard = ReplayGuard(nonce: "n1", outsideWindow: false, windowStart: at(-100))
            await expectSwitchboardError(status: 403, code: "nonce-reused") {
                _ = try await store.recordDeliveryReport(record)
            }
            record.replayGuard?.nonce = "n2"
            #expect(try await store.recordDeliveryReport(record) == .pending)
            record.replayGuard?.outsideWindow = true
            #expect(try await store.recordDeliveryReport(record) == .duplicate)
            var stale = report(key: "Y:delivered", providerID: "Y", status: .delivered)
            stale.replayGuard = ReplayGuard(nonce: "n3", outsideWindow: true, windowStart: at(-100))
            await expectSwitchboardError(status: 403, code: "timestamp-outside-window") {
                _ = try await store.recordDeliveryReport(stale)
            }
        }
    }

    @Test(arguments: StoreKind.persistent)
    func noncesSurviveARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            _ = try await stored(guarded(inbound(key: "m1"), nonce: "n1"), in: try await database.open())
            let reopened = try await database.open()
            await expectSwitchboardError(status: 403, code: "nonce-reused") {
                _ = try await reopened.recordInbound(guarded(inbound(key: "m2", receivedAt: at(5)), nonce: "n1"))
            }
        }
    }
}
