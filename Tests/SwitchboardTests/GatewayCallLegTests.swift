import DomainFakes
import Foundation
import Switchboard
import Testing

/// A call the gateway answers and holds (ACS): the answer's connection is kept, connects and bots use it, and the
/// call leg's callbacks (ended, transfer accepted or failed) act once per event id.
@Suite("Gateway: held call legs")
struct GatewayCallLegTests {
    typealias Fixture = GatewayVoiceTests.Fixture

    static func fixture(bot: String? = nil) -> Fixture {
        Fixture(bot: bot, calls: RecordingCallControl(answeringWith: "conn-"))
    }

    /// A callback about the call connection `conn-CA1`.
    static func leg(_ change: CallEvent.Change, event: String, clock: ManualClock) -> InboundEvent {
        .call(CallEvent(callID: "conn-CA1", from: nil, change: change, receivedAt: clock.now(), dedupeKey: event))
    }

    /// An incoming call, answered, assigned to alice; returns the conversation id.
    func acceptedCall(_ f: Fixture) async throws -> String {
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: true)), on: f.channel)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        await f.store.assign(conversationID: conversationID, to: "alice")
        return conversationID
    }

    @Test func theAnswerIsKeptAndUsedToConnect() async throws {
        let f = Self.fixture()
        let conversationID = try await acceptedCall(f)
        // A redelivered IncomingCall is not answered again.
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: true)), on: f.channel)
        #expect(f.calls.answered == [HeldCall(callID: "CA1", providerContext: "ctx-1")])
        let context = try #require(try await f.store.conversation(id: conversationID)?.contextJSON)
        #expect(JSONValue(text: context)?["call"]?["connectionId"] == .string("conn-CA1"))
        #expect(
            await f.router.notified.first?.contextJSON.flatMap(JSONValue.init(text:))?["call"]?["connectionId"]
                == .string("conn-CA1"))

        await f.gateway.connectCall(conversationID: conversationID)
        #expect(
            f.calls.requests == [
                .connect(
                    HeldCall(callID: "CA1", providerContext: "ctx-1", connectionID: "conn-CA1", caller: "+14155550100"),
                    endpoint: "+14155550123")
            ])
    }

    @Test func theBotJoinsTheAnsweredCall() async throws {
        let f = Self.fixture(bot: "8:acs:bot")
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: false)), on: f.channel)
        #expect(
            f.calls.requests == [
                .bringInBot(
                    HeldCall(callID: "CA1", providerContext: "ctx-1", connectionID: "conn-CA1"), target: "8:acs:bot")
            ])
    }

    @Test func theGatewaysOwnLegLeavingAfterATransferClosesNothing() async throws {
        let f = Self.fixture()
        let conversationID = try await acceptedCall(f)
        #expect(
            try await f.gateway.ingest(Self.leg(.transferAccepted, event: "e1", clock: f.clock), on: f.channel)
                == .stored)
        #expect(try await f.gateway.ingest(Self.leg(.ended, event: "e2", clock: f.clock), on: f.channel) == .duplicate)
        #expect(await f.router.closed.isEmpty)
        #expect(try await f.store.conversation(id: conversationID)?.status == .open)
    }

    @Test func aHangUpByConnectionClosesOnce() async throws {
        let f = Self.fixture()
        let conversationID = try await acceptedCall(f)
        #expect(try await f.gateway.ingest(Self.leg(.ended, event: "e1", clock: f.clock), on: f.channel) == .stored)
        #expect(try await f.gateway.ingest(Self.leg(.ended, event: "e1", clock: f.clock), on: f.channel) == .duplicate)
        #expect(await f.router.closed.map(\.id) == [conversationID])
    }

    @Test func aFailedTransferRoutesAgainOncePerEvent() async throws {
        let f = Self.fixture()
        let conversationID = try await acceptedCall(f)
        let failed = Self.leg(.transferFailed(reason: "500/7504 no answer"), event: "e1", clock: f.clock)
        #expect(try await f.gateway.ingest(failed, on: f.channel) == .stored)
        #expect(try await f.gateway.ingest(failed, on: f.channel) == .duplicate)
        #expect(await f.router.connectFailures == [conversationID])
    }

    @Test func aFailedTransferOfAnUnassignedCallIsIgnored() async throws {
        let f = Self.fixture()
        _ = try await f.gateway.ingest(f.call(.incoming(providerContext: "ctx-1", notifyNow: true)), on: f.channel)
        let failed = Self.leg(.transferFailed(reason: "x"), event: "e1", clock: f.clock)
        #expect(try await f.gateway.ingest(failed, on: f.channel) == .duplicate)
        #expect(await f.router.connectFailures.isEmpty)
    }
}
