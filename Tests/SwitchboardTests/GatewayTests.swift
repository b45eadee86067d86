import DomainFakes
import Foundation
import Switchboard
import Testing

/// The ingest and reply use cases over in-memory stores, a recording router and one manual clock.
@Suite("Gateway: ingest and reply")
struct GatewayTests {
    static let sms = Configuration.Channel(id: "sms", provider: "sms-provider", numbers: ["+14155550199"])
    static let bot = Configuration.Channel(id: "bot", provider: "bot-platform")

    struct Fixture {
        let clock = ManualClock()
        let store = InMemoryStore()
        let router = RecordingRouter()
        let api: ScriptedProviderAPI
        let gateway: Gateway
        let queued = ManualCounter()

        init(
            channels: [Configuration.Channel] = [GatewayTests.sms, GatewayTests.bot],
            maxMessageLength: MessageLengthLimit? = nil, maxMediaPerMessage: Int = 0
        ) {
            api = ScriptedProviderAPI([.accepted(providerMessageID: "SM1")], clock: clock)
            let counter = queued
            gateway = Gateway(
                configuration: Configuration(channels: channels), store: store, router: router,
                capabilities: [
                    GatewayTests.sms.id: ChannelCapabilities(
                        messages: api, maxMessageLength: maxMessageLength, maxMediaPerMessage: maxMediaPerMessage),
                    GatewayTests.bot.id: .init(),
                ],
                clock: clock, replyQueued: { counter.add() })
        }

        func inbound(_ id: String, from: String = "+14155550100", text: String = "Hello") -> InboundEvent {
            .message(
                InboundMessage(
                    providerMessageID: id, dedupeKey: id, from: from, to: "+14155550199", text: text,
                    receivedAt: clock.now()))
        }
    }

    @Test func aFirstMessageOpensAConversationAndAsksForAnAgent() async throws {
        let f = Fixture()
        #expect(try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms) == .stored)
        let request = try #require(await f.router.notified.first)
        #expect(request.scenario == .incomingSMS)
        #expect(request.customer.phone == "+14155550100")
        #expect(request.queue == "default")
        #expect(try await f.store.messages(conversationID: request.conversationID).map(\.text) == ["Hello"])
    }

    @Test func aRedeliveryStoresNothingAndNotifiesNobody() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms)
        #expect(try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms) == .duplicate)
        #expect(await f.router.notified.count == 1)
        #expect(await f.router.arrived.isEmpty)
    }

    @Test func aNextMessageContinuesTheConversationAndReachesItsHolder() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms)
        _ = try await f.gateway.ingest(f.inbound("SM-b", text: "Are you there?"), on: Self.sms)
        #expect(await f.router.notified.count == 1)
        let arrived = await f.router.arrived
        #expect(arrived.map(\.message.text) == ["Are you there?"])
        #expect(arrived.first?.conversation.id == (await f.router.notified.first?.conversationID))
    }

    @Test func optOutAndOptInKeywordsChangeWhetherRepliesMayBeSent() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a", text: "  stop \n"), on: Self.sms)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        #expect(try await f.store.isOptedOut(channelID: "sms", customer: "+14155550100"))
        let refusal = await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: conversationID, text: "Sorry to see you go", agentID: "alice")
        }
        #expect(refusal?.code == "opted-out")
        _ = try await f.gateway.ingest(f.inbound("SM-b", text: "START"), on: Self.sms)
        #expect(try await f.store.isOptedOut(channelID: "sms", customer: "+14155550100") == false)
        _ = try await f.gateway.reply(to: conversationID, text: "Welcome back", agentID: "alice")
    }

    @Test(arguments: ["REVOKE", "optout", "Opt Out", "opt \t  out"])
    func theNewOptOutKeywordsOptOut(text: String) async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a", text: text), on: Self.sms)
        #expect(try await f.store.isOptedOut(channelID: "sms", customer: "+14155550100"))
    }

    @Test func aWordThatOnlyContainsAKeywordDoesNotOptOut() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a", text: "please do not opt out"), on: Self.sms)
        #expect(try await f.store.isOptedOut(channelID: "sms", customer: "+14155550100") == false)
    }

    /// A reply over the provider's documented maximum is refused before it is queued, naming the limit.
    @Test func aReplyLongerThanTheProviderTakesIsRefused() async throws {
        let f = Fixture(maxMessageLength: .characters(1600))
        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        _ = try await f.gateway.reply(to: conversationID, text: String(repeating: "a", count: 1600), agentID: nil)
        let refusal = await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: conversationID, text: String(repeating: "a", count: 1601), agentID: nil)
        }
        #expect(refusal?.status == 400 && refusal?.code == "limit-exceeded" && refusal?.field == "text")
        #expect(refusal?.message.contains("1601 characters") == true)
        #expect(refusal?.message.contains("at most 1600") == true)
        #expect(try await f.store.outboxDepth() == 1)
    }

    @Test func aSegmentLimitCountsSegments() {
        let limit = MessageLengthLimit.segments(2)
        #expect(limit.refusal(of: String(repeating: "a", count: 306), provider: "p") == nil)
        #expect(
            limit.refusal(of: String(repeating: "a", count: 307), provider: "p")?.contains("3 SMS segments") == true)
        // UCS-2: 67 units a segment when concatenated.
        #expect(
            limit.refusal(of: String(repeating: "é€", count: 1) + String(repeating: "ж", count: 134), provider: "p")
                != nil)
    }

    @Test func aReplyIsQueuedAndTheOutboxWoken() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        let message = try await f.gateway.reply(to: conversationID, text: "An agent here", agentID: "alice")
        #expect(message.status == .queued && message.direction == .outbound && message.agentID == "alice")
        #expect(message.createdAt == f.clock.now())
        #expect(f.queued.value == 1)
        #expect(try await f.store.outboxDepth() == 1)
    }

    @Test func repliesAreRefusedWhereTheyCannotBeSent() async throws {
        let f = Fixture()
        let error1 = await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: "conv-nope", text: "x", agentID: nil)
        }
        #expect(error1?.status == 404)

        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        let error2 = await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: conversationID, text: "", agentID: nil)
        }
        #expect(error2?.field == "text")

        // A channel whose provider sends nothing (a bot's handoffs): 409 cannot-send.
        let (onBot, _) = try await f.store.openConversation(
            ConversationOpening(
                channelID: "bot", customerPhone: "+14155550101", customerIsPhoneNumber: true, medium: .sms,
                queue: "default", at: f.clock.now()))
        let error3 = await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: onBot.id, text: "hi", agentID: nil)
        }
        #expect(error3?.code == "cannot-send")

        _ = try await f.store.closeConversation(id: conversationID, at: f.clock.now())
        let error4 = await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: conversationID, text: "too late", agentID: nil)
        }
        #expect(error4?.code == "closed")
        #expect(try await f.store.outboxDepth() == 0)
        #expect(f.queued.value == 0)
    }

    @Test func aDeliveryReportThatMovesTheStatusReachesTheHolder() async throws {
        let f = Fixture()
        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: Self.sms)
        let conversationID = try #require(await f.router.notified.first?.conversationID)
        let reply = try await f.gateway.reply(to: conversationID, text: "On it", agentID: "alice")
        #expect(try await f.store.markSending(messageID: reply.id, at: f.clock.now()))
        _ = try await f.store.markSent(messageID: reply.id, providerMessageID: "SM-out", at: f.clock.now())

        let delivered = DeliveryReport(
            providerMessageID: "SM-out", dedupeKey: "SM-out:delivered", status: .delivered, receivedAt: f.clock.now())
        #expect(try await f.gateway.ingest(.status(delivered), on: Self.sms) == .stored)
        #expect(await f.router.statusChanges.map(\.status) == [.delivered])
        // A late `sent` after `delivered` changes nothing, and tells nobody.
        let late = DeliveryReport(
            providerMessageID: "SM-out", dedupeKey: "SM-out:sent", status: .sent, receivedAt: f.clock.now())
        #expect(try await f.gateway.ingest(.status(late), on: Self.sms) == .stored)
        #expect(await f.router.statusChanges.count == 1)
        #expect(try await f.gateway.ingest(.status(delivered), on: Self.sms) == .duplicate)
    }
}
