import Curl
import DomainFakes
import Foundation
import Logging
import Storage
import Switchboard
import Testing

@testable import Router

/// The sender takes an inbound message's first event from the message's transaction (``CoreEventHandOff``): it
/// reaches the core without a claim of its own, the conversation's next event follows in order, and an event
/// handed over as the sender stops is due again at once.
@Suite("Remote core: events handed off to the sender", .timeLimit(.minutes(1)))
struct CoreEventSenderHandOffTests {
    static func message(_ key: String, handOff: any CoreEventHandOff) -> InboundRecord {
        var record = InboundRecord(
            channelID: "twilio-main", dedupeKey: key, providerMessageID: "SM" + key, customerPhone: "+14155550100",
            customerIsPhoneNumber: true, medium: .sms, queue: "support", text: "hello " + key, receivedAt: Date())
        record.coreEvents = InboundCoreEvents(
            render: { conversation, message, opened in
                RemoteCoreRouter.inboundEvents(conversation: conversation, message: message, opened: opened)
            }, handOff: handOff)
        return record
    }

    /// Waits until `sender` runs (only then does it keep room for a hand-off).
    static func waitUntilRunning(_ sender: CoreEventSender) async {
        let running = await waitUntil {
            guard sender.reserve() != nil else { return false }
            sender.take(nil)
            return true
        }
        #expect(running)
    }

    static func sender(
        _ store: any CoreEventStore, core url: String, client: CurlClient, maxInFlight: Int = 64
    ) -> CoreEventSender {
        CoreEventSender(
            url: url, secret: FakeCore.secret, store: store, client: client, clock: SystemWallClock(),
            metrics: Metrics(), logger: Logger(label: "test"), maxInFlight: maxInFlight, idlePoll: .seconds(30))
    }

    @Test func anInboundMessagesEventsReachTheCoreWithoutAClaim() async throws {
        let store = WatchedClaims(store: try SQLiteStore(path: ":memory:"))
        try await FakeCore.with { core, server in
            try await CurlClient.withCurlClient { client in
                let sender = Self.sender(store, core: server.url("/events"), client: client)
                let running = Task { await sender.run() }
                defer { running.cancel() }
                await Self.waitUntilRunning(sender)
                let claimsBefore = store.claims

                _ = try await store.store.recordInbound(Self.message("m1", handOff: sender))
                let accepted = try await core.waitUntil("the message's two events") { $0.count == 2 }
                #expect(accepted.map(\.type) == ["message.received", "notification.request"])
                #expect(store.claims == claimsBefore)
                #expect(core.problems.isEmpty)
                #expect(await waitUntil { (try? await store.coreEventDepth()) == 0 })
            }
        }
    }

    @Test func handOffsLeaveAQuarterOfThePlacesToTheQueue() async throws {
        let sqlite = try SQLiteStore(path: ":memory:")
        try await CurlClient.withCurlClient { client in
            let sender = Self.sender(sqlite, core: "http://127.0.0.1:9/events", client: client, maxInFlight: 8)
            #expect(sender.reserve() == nil)  // not running yet
            let running = Task { await sender.run() }
            await Self.waitUntilRunning(sender)
            let reservations = (0..<8).map { _ in sender.reserve() }
            #expect(reservations.prefix(6).allSatisfy { $0 != nil })
            #expect(reservations.suffix(2).allSatisfy { $0 == nil })
            for _ in 0..<6 { sender.take(nil) }
            #expect(sender.reserve() != nil)
            sender.take(nil)
            running.cancel()
            await running.value
        }
    }

    @Test func anEventHandedOverAsTheSenderStopsIsDueAgainAtOnce() async throws {
        let sqlite = try SQLiteStore(path: ":memory:")
        try await CurlClient.withCurlClient { client in
            // Nothing listens on the discard port: no event may reach a core in this test.
            let sender = Self.sender(sqlite, core: "http://127.0.0.1:9/events", client: client)
            let running = Task { await sender.run() }
            await Self.waitUntilRunning(sender)
            // Room reserved, the message's transaction claims its event; the sender stops before the hand-over.
            let lease = try #require(sender.reserve())
            try await sqlite.enqueueCoreEvents([
                CoreEvent(
                    id: "evt-1", conversationID: "conv-1", type: "message.received", body: "{}", createdAt: Date())
            ])
            let claimed = try await sqlite.claimCoreEvents(now: Date(), limit: 1, lease: lease.timeIntervalSinceNow)
            running.cancel()
            await running.value
            #expect(sender.reserve() == nil)
            let event = try #require(claimed.first)
            sender.take(event)
            // Handed back by a task of its own: due now.
            #expect(await waitUntil { (try? await sqlite.nextCoreEventAttempt())?.map { $0 <= Date() } == true })
            let again = try await sqlite.claimCoreEvents(now: Date(), limit: 1, lease: 60)
            #expect(again.map(\.id) == ["evt-1"])
            #expect(again.first?.lastError == "not sent: the sender stopped after claiming it")
        }
    }
}
