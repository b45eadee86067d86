import Foundation
import Switchboard
import Testing

/// The remote core's event outbox (CONTRACT.md §11): each conversation's events handed out one at a time in order,
/// conversations independent of each other, claims with a lease, retries, and the events of an inbound message
/// written in its own transaction.
@Suite("Store conformance: core event outbox")
struct CoreEventConformanceTests {
    static func event(_ id: String, _ conversation: String, at seconds: TimeInterval = 0) -> CoreEvent {
        CoreEvent(
            id: id, conversationID: conversation, type: "message.received", body: #"{"id":"\#(id)"}"#,
            createdAt: at(seconds))
    }

    @Test(arguments: StoreKind.allCases)
    func eachConversationsEventsGoOneAtATimeInOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.enqueueCoreEvents([Self.event("a1", "A"), Self.event("a2", "A")])
            try await store.enqueueCoreEvents([Self.event("b1", "B", at: 1), Self.event("a3", "A", at: 2)])
            // The same id again keeps the first body.
            try await store.enqueueCoreEvents([
                CoreEvent(id: "a1", conversationID: "A", type: "x", body: "other", createdAt: at(3))
            ])
            #expect(try await store.coreEventDepth() == 4)

            let first = try await store.claimCoreEvents(now: at(5), limit: 10, lease: 60)
            #expect(first.map(\.id) == ["a1", "b1"])
            #expect(first.first?.body == #"{"id":"a1"}"#)
            // Claimed: nobody gets them (nor what follows them) until completed, retried or the lease ends.
            #expect(try await store.claimCoreEvents(now: at(6), limit: 10, lease: 60).isEmpty)

            try await store.completeCoreEvent(id: "a1")
            #expect(try await store.claimCoreEvents(now: at(7), limit: 10, lease: 60).map(\.id) == ["a2"])
            try await store.completeCoreEvent(id: "a2")
            try await store.completeCoreEvent(id: "b1")
            #expect(try await store.claimCoreEvents(now: at(8), limit: 10, lease: 60).map(\.id) == ["a3"])
            try await store.completeCoreEvent(id: "a3")
            // A completion repeated (a lease that ran out, then both senders answered) changes nothing.
            try await store.completeCoreEvent(id: "a3")
            #expect(try await store.coreEventDepth() == 0)
            #expect(try await store.nextCoreEventAttempt() == nil)
            #expect(try await store.claimCoreEvents(now: at(9), limit: 10, lease: 60).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func completingCanClaimTheConversationsNextEventForTheSameSender(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.enqueueCoreEvents([Self.event("a1", "A"), Self.event("a2", "A"), Self.event("b1", "B")])
            #expect(try await store.claimCoreEvents(now: at(1), limit: 1, lease: 60).map(\.id) == ["a1"])
            let next = try await store.completeCoreEvent(id: "a1", claimingNextUntil: at(61))
            #expect(next?.id == "a2")
            #expect(next?.body == #"{"id":"a2"}"#)
            // a2 is this sender's: nobody else gets it, B goes on.
            #expect(try await store.claimCoreEvents(now: at(2), limit: 10, lease: 60).map(\.id) == ["b1"])
            #expect(try await store.completeCoreEvent(id: "a2", claimingNextUntil: at(62)) == nil)
            #expect(try await store.coreEventDepth() == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRetryHoldsItsConversationOnly(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.enqueueCoreEvents([Self.event("a1", "A"), Self.event("a2", "A"), Self.event("b1", "B")])
            #expect(try await store.claimCoreEvents(now: at(1), limit: 1, lease: 60).map(\.id) == ["a1"])
            try await store.retryCoreEvent(id: "a1", nextAttemptAt: at(30), error: "HTTP 503")
            // B goes on; A waits for its first event's retry.
            #expect(try await store.claimCoreEvents(now: at(2), limit: 10, lease: 60).map(\.id) == ["b1"])
            try await store.completeCoreEvent(id: "b1")
            #expect(try await store.nextCoreEventAttempt() == at(30))
            #expect(try await store.claimCoreEvents(now: at(29), limit: 10, lease: 60).isEmpty)
            let retried = try await store.claimCoreEvents(now: at(30), limit: 10, lease: 60)
            #expect(retried.map(\.id) == ["a1"])
            #expect(retried.first?.attempts == 1)
            #expect(retried.first?.lastError == "HTTP 503")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLeaseThatRunsOutHandsTheEventOutAgain(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.enqueueCoreEvents([Self.event("a1", "A")])
            #expect(try await store.claimCoreEvents(now: at(0), limit: 10, lease: 60).map(\.id) == ["a1"])
            #expect(try await store.nextCoreEventAttempt() == at(60))
            #expect(try await store.claimCoreEvents(now: at(59), limit: 10, lease: 60).isEmpty)
            #expect(try await store.claimCoreEvents(now: at(60), limit: 10, lease: 60).map(\.id) == ["a1"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expeditingMakesWaitingRetriesDueButLeavesClaims(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.enqueueCoreEvents([Self.event("a1", "A"), Self.event("b1", "B"), Self.event("c1", "C")])
            let claimed = try await store.claimCoreEvents(now: at(0), limit: 2, lease: 60)
            #expect(claimed.map(\.id) == ["a1", "b1"])
            try await store.retryCoreEvent(id: "a1", nextAttemptAt: at(60), error: "unreachable")
            try await store.expediteCoreEvents(now: at(1))
            // a1 is due again; b1 is still claimed (in flight); c1 was due all along.
            #expect(Set(try await store.claimCoreEvents(now: at(1), limit: 10, lease: 60).map(\.id)) == ["a1", "c1"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anInboundMessageWritesItsEventsInItsTransaction(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let render = recordedCoreEvents
            var first = inbound(key: "m1", text: "first")
            first.coreEvents = render
            var second = inbound(key: "m2", text: "second", receivedAt: at(1))
            second.coreEvents = render
            _ = try await store.recordInbound(first)
            _ = try await store.recordInbound(second)
            // A redelivery stores nothing, events included.
            _ = try await store.recordInbound(first)
            #expect(try await store.coreEventDepth() == 3)
            var types: [String] = []
            var bodies: [String] = []
            while let event = try await store.claimCoreEvents(now: at(5), limit: 10, lease: 60).first {
                types.append(event.type)
                bodies.append(event.body)
                try await store.completeCoreEvent(id: event.id)
            }
            #expect(types == ["message.received", "notification.request", "message.received"])
            #expect(bodies.first == "first")
            #expect(bodies.last == "second")
        }
    }

    @Test(arguments: StoreKind.persistent)
    func survivesARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            try await database.open().enqueueCoreEvents([Self.event("kept", "A"), Self.event("next", "A")])
            let reopened = try await database.open()
            #expect(try await reopened.claimCoreEvents(now: at(1), limit: 5, lease: 60).map(\.id) == ["kept"])
        }
    }
}

/// Remote-core events of an inbound message, as the gateway renders them, reduced: `message.received` with the text
/// as its body, and `notification.request` (body `{}`) when the message opened its conversation.
let recordedCoreEvents = InboundCoreEvents { conversation, message, opened in
    [
        CoreEvent(
            id: "evt_" + message.id, conversationID: conversation.id, type: "message.received", body: message.text,
            createdAt: message.createdAt)
    ]
        + (opened
            ? [
                CoreEvent(
                    id: "req_" + message.id, conversationID: conversation.id, type: "notification.request", body: "{}",
                    createdAt: message.createdAt)
            ] : [])
}
