import Foundation
import Switchboard
import Synchronization
import Testing

/// An inbound message's first core event handed from its transaction to the local sender (``CoreEventHandOff``):
/// claimed in the database like any claim, handed over only once committed, never ahead of an older event of its
/// conversation, and the room it reserved given back whatever happened; every store leaves its events to the
/// claim when the sender has no room. (PostgreSQL: through its inbound batch here; a batch of several and the
/// message alone in PostgresInboundBatchTests.)
@Suite("Store: core events handed off from the message's transaction")
struct CoreEventHandOffTests {
    /// A sender's side, recorded: room for `room` events, each reservation's lease ending at `leaseEnd`.
    final class RecordingHandOff: CoreEventHandOff {
        struct State {
            var room: Int
            var reservations = 0
            var taken: [CoreEvent?] = []
        }
        let state: Mutex<State>
        let leaseEnd: Date

        init(room: Int = 10, leaseEnd: Date = at(60)) {
            state = Mutex(State(room: room))
            self.leaseEnd = leaseEnd
        }

        func reserve() -> Date? {
            state.withLock { state in
                guard state.room > 0 else { return nil }
                state.room -= 1
                state.reservations += 1
                return leaseEnd
            }
        }

        func take(_ event: CoreEvent?) {
            state.withLock { state in
                state.room += 1
                state.taken.append(event)
            }
        }

        var taken: [String?] { state.withLock { $0.taken.map { $0?.id } } }
        var reservations: Int { state.withLock { $0.reservations } }
    }

    static func record(
        _ key: String, text: String, handOff: RecordingHandOff, at seconds: TimeInterval = 0
    )
        -> InboundRecord
    {
        var record = inbound(key: key, text: text, receivedAt: at(seconds))
        record.coreEvents = InboundCoreEvents(render: recordedCoreEvents.render, handOff: handOff)
        return record
    }

    @Test(arguments: StoreKind.allCases)
    func theFirstEventIsClaimedInTheMessagesTransactionAndHandedOver(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let handOff = RecordingHandOff()
            guard
                case .stored(_, let message, _) = try await store.recordInbound(
                    Self.record("m1", text: "first", handOff: handOff))
            else { throw UnexpectedOutcome(description: "m1 was not stored") }
            #expect(handOff.taken == ["evt_" + message.id])
            // Claimed in the database: no claim hands it out again before the lease ends, nor what follows it.
            #expect(try await store.claimCoreEvents(now: at(1), limit: 10, lease: 60).isEmpty)
            #expect(try await store.nextCoreEventAttempt() == at(60))
            // Delivered: the completion claims the conversation's next event for the same sender, as after a claim.
            let next = try await store.completeCoreEvent(id: "evt_" + message.id, claimingNextUntil: at(61))
            #expect(next?.type == "notification.request")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLeaseThatEndsMakesTheHandedEventDueAgain(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // The sender crashed after the commit: the event goes to whoever claims after the lease.
            _ = try await store.recordInbound(Self.record("m1", text: "first", handOff: RecordingHandOff()))
            let again = try await store.claimCoreEvents(now: at(60), limit: 10, lease: 60)
            #expect(again.map(\.type) == ["message.received"])
            #expect(again.first?.body == "first")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anEventBehindOlderOnesOfItsConversationIsNotHandedOver(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let handOff = RecordingHandOff()
            // The first message's events wait for a claim (no room in the sender then).
            _ = try await store.recordInbound(Self.record("m1", text: "first", handOff: RecordingHandOff(room: 0)))
            _ = try await store.recordInbound(Self.record("m2", text: "second", handOff: handOff, at: 1))
            #expect(handOff.taken == [nil])
            #expect(handOff.state.withLock { $0.room } == 10)
            // In order, through claims.
            var bodies: [String] = []
            while let event = try await store.claimCoreEvents(now: at(5), limit: 10, lease: 60).first {
                bodies.append(event.body)
                try await store.completeCoreEvent(id: event.id)
            }
            #expect(bodies == ["first", "{}", "second"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aDuplicateOrAFailedTransactionGivesTheRoomBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let handOff = RecordingHandOff()
            _ = try await store.recordInbound(Self.record("m1", text: "first", handOff: handOff))
            _ = try await store.recordInbound(Self.record("m1", text: "first", handOff: handOff))
            // A replay guard's refusal (a timestamp outside the window) fails the transaction.
            var stale = Self.record("m2", text: "second", handOff: handOff)
            stale.replayGuard = ReplayGuard(nonce: nil, outsideWindow: true, windowStart: t0)
            await #expect(throws: (any Error).self) { try await store.recordInbound(stale) }
            #expect(handOff.reservations == 3)
            #expect(handOff.taken.count == 3)
            #expect(handOff.taken.dropFirst().allSatisfy { $0 == nil })
            #expect(handOff.state.withLock { $0.room } == 10)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func withoutRoomEveryEventWaitsForAClaim(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let handOff = RecordingHandOff(room: 0)
            _ = try await store.recordInbound(Self.record("m1", text: "first", handOff: handOff))
            #expect(handOff.taken.isEmpty)
            let claimed = try await store.claimCoreEvents(now: at(1), limit: 10, lease: 60)
            #expect(claimed.map(\.body) == ["first"])
        }
    }
}
