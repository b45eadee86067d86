import DomainFakes
import Foundation
import Switchboard
import Testing

/// What the gateway tells a remote core's router (CONTRACT.md §11): an inbound message's events go to the store
/// with the message, in its transaction, instead of through the router afterwards; opt-outs and opt-ins are told.
@Suite("Gateway: remote core events")
struct GatewayRemoteCoreTests {
    static let channel = Configuration.Channel(id: "sms", provider: "sms-provider", numbers: ["+14155550199"])

    struct Fixture {
        let clock = ManualClock()
        let store = InMemoryStore()
        let router: RecordingRouter
        let gateway: Gateway

        init(remote: Bool) {
            router = RecordingRouter(
                inboundEvents: remote
                    ? InboundCoreEvents { conversation, message, opened in
                        [
                            CoreEvent(
                                id: "evt_" + message.id, conversationID: conversation.id, type: "message.received",
                                body: message.text, createdAt: message.createdAt)
                        ]
                            + (opened
                                ? [
                                    CoreEvent(
                                        id: "req_" + message.id, conversationID: conversation.id,
                                        type: "notification.request", body: "", createdAt: message.createdAt)
                                ] : [])
                    } : nil)
            gateway = Gateway(
                configuration: Configuration(channels: [GatewayRemoteCoreTests.channel]), store: store,
                router: router, capabilities: [GatewayRemoteCoreTests.channel.id: ChannelCapabilities()], clock: clock)
        }

        func inbound(_ id: String, text: String) -> InboundEvent {
            .message(
                InboundMessage(
                    providerMessageID: id, dedupeKey: id, from: "+14155550100", to: "+14155550199", text: text,
                    receivedAt: clock.now()))
        }
    }

    @Test func inboundMessagesEventsAreWrittenWithThemAndTheRouterIsOnlyWoken() async throws {
        let f = Fixture(remote: true)
        _ = try await f.gateway.ingest(f.inbound("SM-1", text: "Hi"), on: Self.channel)
        _ = try await f.gateway.ingest(f.inbound("SM-2", text: "Again"), on: Self.channel)
        _ = try await f.gateway.ingest(f.inbound("SM-1", text: "Hi"), on: Self.channel)
        #expect(
            await f.store.coreEvents.map(\.type) == ["message.received", "notification.request", "message.received"])
        #expect(await f.store.coreEvents.map(\.body) == ["Hi", "", "Again"])
        #expect(await f.router.inboundEventsWrittenCount == 2)
        #expect(await f.router.notified.isEmpty)
        #expect(await f.router.arrived.isEmpty)
    }

    @Test func theEmbeddedRouterIsToldAsBeforeAndTheStoreWritesNoEvents() async throws {
        let f = Fixture(remote: false)
        _ = try await f.gateway.ingest(f.inbound("SM-1", text: "Hi"), on: Self.channel)
        _ = try await f.gateway.ingest(f.inbound("SM-2", text: "Again"), on: Self.channel)
        #expect(await f.store.coreEvents.isEmpty)
        #expect(await f.router.notified.count == 1)
        #expect(await f.router.arrived.count == 1)
        #expect(await f.router.inboundEventsWrittenCount == 0)
    }

    @Test func optKeywordsAreToldToTheRouterWithTheirConversation() async throws {
        let f = Fixture(remote: true)
        _ = try await f.gateway.ingest(f.inbound("SM-1", text: " stop "), on: Self.channel)
        _ = try await f.gateway.ingest(f.inbound("SM-2", text: "hello"), on: Self.channel)
        _ = try await f.gateway.ingest(f.inbound("SM-3", text: "START"), on: Self.channel)
        let changes = await f.router.optChanges
        #expect(changes.map(\.optedOut) == [true, false])
        let conversationID = try #require(await f.store.coreEvents.first?.conversationID)
        #expect(changes.allSatisfy { $0.conversationID == conversationID })
    }
}
