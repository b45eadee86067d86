import DomainFakes
import Foundation
import Switchboard
import Testing

/// Calls and concatenated SMS: the use cases ask the channel's capabilities (call control, joined parts), never
/// which provider it is.
@Suite("Gateway: calls and joined parts")
struct GatewayVoiceTests {
    static func channel(bot: String? = nil) -> Configuration.Channel {
        var channel = Configuration.Channel(id: "voice", provider: "voice-provider", numbers: ["+14155550199"])
        channel.voice = .init(bot: bot.map { .init(target: $0) })
        return channel
    }

    struct Fixture {
        let clock = ManualClock()
        let store = InMemoryStore()
        let router = RecordingRouter()
        let calls: RecordingCallControl
        let channel: Configuration.Channel
        let gateway: Gateway

        init(bot: String? = nil, calls: RecordingCallControl = RecordingCallControl(), joinsParts: Bool = false) {
            self.calls = calls
            channel = GatewayVoiceTests.channel(bot: bot)
            gateway = Gateway(
                configuration: Configuration(
                    channels: [channel], agents: [.init(id: "alice", voiceEndpoint: "+14155550123"), .init(id: "bob")]),
                store: store, router: router,
                capabilities: [channel.id: ChannelCapabilities(calls: calls, joinsMessageParts: joinsParts)],
                clock: clock)
        }

        func call(_ change: CallEvent.Change, id: String = "CA1") -> InboundEvent {
            .call(CallEvent(callID: id, from: "+14155550100", change: change, receivedAt: clock.now()))
        }
    }

    @Test func anIncomingCallWithoutABotAsksForAnAgentAtOnce() async throws {
        let f = Fixture()
        #expect(
            try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: true)), on: f.channel)
                == .stored)
        let request = try #require(await f.router.notified.first)
        #expect(request.scenario == .incomingVoice && request.medium == .voice)
        #expect(f.calls.requests.isEmpty)
        // The webhook again: the same call, nothing new.
        #expect(
            try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: true)), on: f.channel)
                == .duplicate)
        #expect(await f.router.notified.count == 1)
    }

    @Test func aCallThatWaitsForTheBotIsHandedToItsTarget() async throws {
        let f = Fixture(bot: "8:acs:bot")
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: false)), on: f.channel)
        #expect(await f.router.notified.isEmpty)
        #expect(
            f.calls.requests == [.bringInBot(HeldCall(callID: "CA1", providerContext: "ctx-1"), target: "8:acs:bot")])
    }

    @Test func acceptingConnectsTheHeldCallToTheAgentsEndpoint() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: true)), on: f.channel)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        await f.store.assign(conversationID: conversationID, to: "alice")
        await f.gateway.connectCall(conversationID: conversationID)
        #expect(
            f.calls.requests == [
                .connect(
                    HeldCall(callID: "CA1", providerContext: "ctx-1", caller: "+14155550100"), endpoint: "+14155550123")
            ])
    }

    @Test func anAgentWithoutAnEndpointLeavesTheCallerOnHold() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: nil, notifyNow: true)), on: f.channel)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        await f.store.assign(conversationID: conversationID, to: "bob")
        await f.gateway.connectCall(conversationID: conversationID)
        #expect(f.calls.requests.isEmpty)
    }

    @Test func aFailedConnectionKeepsTheConversationWithTheAgent() async throws {
        let f = Fixture(calls: RecordingCallControl(failing: .unavailable("provider down")))
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: nil, notifyNow: true)), on: f.channel)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        await f.store.assign(conversationID: conversationID, to: "alice")
        await f.gateway.connectCall(conversationID: conversationID)
        #expect(f.calls.requests.count == 1)
        let conversation = try #require(try await f.store.conversation(id: conversationID))
        #expect(conversation.status == .open && conversation.assignedAgent == "alice")
    }

    @Test func aHangUpClosesTheConversationOnce() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: nil, notifyNow: true)), on: f.channel)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        #expect(try await f.gateway.ingest(f.call(.ended), on: f.channel) == .stored)
        #expect(await f.router.closed.map(\.id) == [conversationID])
        #expect(await f.router.closed.first?.reason == .customerHungUp)
        #expect(try await f.store.conversation(id: conversationID)?.status == .closed)
        #expect(try await f.gateway.ingest(f.call(.ended), on: f.channel) == .duplicate)
        #expect(await f.router.closed.count == 1)
    }

    static func part(_ number: Int, of total: Int, _ text: String, at date: Date) -> InboundEvent {
        .message(
            InboundMessage(
                providerMessageID: "p\(number)", dedupeKey: "p\(number)", from: "447700900001", to: "447700900000",
                text: text, receivedAt: date,
                concatenation: ConcatenationPart(recipient: "447700900000", reference: "r", part: number, total: total))
        )
    }

    @Test func partsWaitForTheirMessageAndAnIncompleteOneIsDeliveredAfterTheWait() async throws {
        let f = Fixture(joinsParts: true)
        #expect(f.gateway.joinsMessageParts)
        _ = try await f.gateway.ingest(Self.part(1, of: 3, "one ", at: f.clock.now()), on: f.channel)
        _ = try await f.gateway.ingest(Self.part(3, of: 3, " three", at: f.clock.now()), on: f.channel)
        #expect(await f.router.notified.isEmpty)
        f.clock.advance(by: .seconds(59))
        #expect(try await f.gateway.flushIncompleteConcatenations(now: f.clock.now()) == 0)
        f.clock.advance(by: .seconds(2))
        #expect(try await f.gateway.flushIncompleteConcatenations(now: f.clock.now()) == 1)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        #expect(
            try await f.store.messages(conversationID: conversationID).map(\.text) == [
                "one [part 2 of 3 missing] three"
            ])
    }

    @Test func aChannelThatDoesNotJoinPartsIsNotSwept() async throws {
        let f = Fixture(joinsParts: false)
        #expect(!f.gateway.joinsMessageParts)
        _ = try await f.gateway.ingest(Self.part(1, of: 2, "one", at: f.clock.now()), on: f.channel)
        f.clock.advance(by: .seconds(3600))
        #expect(try await f.gateway.flushIncompleteConcatenations(now: f.clock.now()) == 0)
    }
}
