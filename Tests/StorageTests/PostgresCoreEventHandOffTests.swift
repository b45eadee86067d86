import Foundation
import Switchboard
import Testing

@testable import PostgresStorage

/// The PostgreSQL store's side of ``CoreEventHandOff``: an inbound batch claims a conversation's first event for
/// the sender when the batch starts the conversation's queue, for the record that event belongs to; the message
/// alone (no batch, or a batch that could not commit) does as the SQLite store does.
@Suite("PostgresStore: core events handed off from inbound batches", .timeLimit(.minutes(2)))
struct PostgresCoreEventHandOffTests {
    static func records(_ specs: [(key: String, from: String, text: String)]) -> [InboundRecord] {
        specs.enumerated().map { index, spec in
            var record = inbound(key: spec.key, from: spec.from, text: spec.text, receivedAt: at(Double(index)))
            record.coreEvents = recordedCoreEvents
            return record
        }
    }

    /// Claimed only for the first message of a conversation whose queue the batch starts, and only when that
    /// message has a claim: not its conversation's next message, not a conversation whose older event is in
    /// flight, not a message without room in the sender. Claimed in the database until the lease ends.
    @Test func aBatchClaimsTheFirstEventOfEachQueueItStarts() async throws {
        try await PostgresTestDatabase.withStore { store in
            // A conversation whose oldest event is in flight (claimed): its queue row is there, claimed.
            _ = try await stored(Self.records([("w1", "+14155550102", "waiting")])[0], in: store)
            #expect(try await store.claimCoreEvents(now: at(0), limit: 10, lease: 30).map(\.body) == ["waiting"])
            let records = Self.records([
                ("a1", "+14155550100", "first"), ("a2", "+14155550100", "second"),
                ("b1", "+14155550101", "no room"), ("w2", "+14155550102", "behind"),
            ])
            let claims = [
                CoreEventClaim(leaseEnd: at(60)), CoreEventClaim(leaseEnd: at(60)), nil,
                CoreEventClaim(leaseEnd: at(60)),
            ]
            let outcomes = try await runAsOneBatch(records, claims: claims, on: store).map { try $0.get() }
            guard case .stored(_, let a1, true) = outcomes[0] else {
                throw UnexpectedOutcome(description: "a1: \(outcomes[0])")
            }
            #expect(claims.map { $0?.event?.id } == ["evt_" + a1.id, nil, nil, nil])
            #expect(claims[0]?.event?.body == "first")
            // The others are due; the handed conversation's events are not, until its lease ends.
            let due = try await store.claimCoreEvents(now: at(10), limit: 10, lease: 60)
            #expect(due.map(\.body) == ["no room"])
            #expect(
                try await store.claimCoreEvents(now: at(60), limit: 10, lease: 60).map(\.body) == ["waiting", "first"])
            // Delivered: the completion claims the conversation's next event, in order.
            let next = try await store.completeCoreEvent(id: "evt_" + a1.id, claimingNextUntil: at(120))
            #expect(next?.type == "notification.request")
        }
    }

    /// A batch that cannot commit (a row the server refuses) rolls back what it claimed; each call, run alone,
    /// claims its own conversation's first event (the refused one none).
    @Test func aBatchThatCannotCommitLeavesTheClaimsToTheCallsAlone() async throws {
        try await PostgresTestDatabase.withStore { store in
            let records = Self.records([
                ("a1", "+14155550100", "first"), ("bad", "+14155550101", "nul \u{0} byte"),
                ("c1", "+14155550103", "other"),
            ])
            let claims = records.map { _ in CoreEventClaim(leaseEnd: at(60)) }
            let results = try await runAsOneBatch(records, claims: claims, on: store)
            guard case .success(.stored(_, let a1, _)) = results[0], case .failure = results[1],
                case .success(.stored(_, let c1, _)) = results[2]
            else { throw UnexpectedOutcome(description: "\(results)") }
            #expect(claims.map { $0.event?.id } == ["evt_" + a1.id, nil, "evt_" + c1.id])
            #expect(try await store.claimCoreEvents(now: at(10), limit: 10, lease: 60).isEmpty)
        }
    }

    /// Without batches (``PostgresStore/recordInboundAlone(_:claim:)``): the message's transaction claims its
    /// first event when it starts the queue, and a claim filled in by an earlier attempt is cleared.
    @Test func aMessageAloneClaimsItsFirstEvent() async throws {
        try await PostgresTestDatabase.withStore { store in
            let records = Self.records([("a1", "+14155550100", "first"), ("a2", "+14155550100", "second")])
            let first = CoreEventClaim(leaseEnd: at(60))
            guard case .stored(_, let a1, _) = try await store.recordInboundAlone(records[0], claim: first) else {
                throw UnexpectedOutcome(description: "a1 was not stored")
            }
            #expect(first.event?.id == "evt_" + a1.id)
            let second = CoreEventClaim(leaseEnd: at(60))
            second.event = first.event
            _ = try await store.recordInboundAlone(records[1], claim: second)
            #expect(second.event == nil)
            #expect(try await store.nextCoreEventAttempt() == at(60))
        }
    }
}
