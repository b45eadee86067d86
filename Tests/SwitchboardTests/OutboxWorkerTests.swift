import DomainFakes
import Foundation
import Switchboard
import Testing

/// The outbox worker over an in-memory outbox, scripted providers and one manual clock: what each provider answer
/// does to a reply, retries, and per-channel send-rate spacing in the clock's time.
@Suite("Outbox worker")
struct OutboxWorkerTests {
    struct Fixture {
        let clock = ManualClock()
        let store = InMemoryStore()
        let router = RecordingRouter()
        let configuration: Configuration
        let capabilities: [String: ChannelCapabilities]
        let worker: OutboxWorker

        init(
            channels: [Configuration.Channel], outbox: Configuration.OutboxSettings = .init(),
            capabilities: (ManualClock) -> [String: ChannelCapabilities]
        ) {
            configuration = Configuration(publicURL: "https://gw.example.com", channels: channels, outbox: outbox)
            self.capabilities = capabilities(clock)
            worker = OutboxWorker(
                store: store, capabilities: self.capabilities, configuration: configuration, router: router,
                clock: clock, retryPolicy: RetryPolicy(baseDelay: 2, maxDelay: 60, jitter: 0))
        }

        /// Queues `count` replies to one customer of `channelID`; returns their message ids.
        func queue(_ count: Int, on channelID: String, customer: String = "+14155550100") async throws -> [String] {
            let (conversation, _) = try await store.openConversation(
                ConversationOpening(
                    channelID: channelID, customerPhone: customer, customerIsPhoneNumber: true, medium: .sms,
                    queue: "default", at: clock.now()))
            var ids: [String] = []
            for index in 0..<count {
                ids.append(
                    try await store.enqueueReply(
                        ReplyRecord(
                            conversationID: conversation.id, agentID: "alice", text: "reply \(index)",
                            createdAt: clock.now())
                    ).id)
            }
            return ids
        }
    }

    static let sms = Configuration.Channel(id: "sms", provider: "sms-provider", numbers: ["+14155550199"])

    @Test func anAcceptedSendIsRecordedAndItsHolderTold() async throws {
        let api = ManualBox<ScriptedProviderAPI>()
        let f = Fixture(channels: [Self.sms]) { clock in
            api.value = ScriptedProviderAPI([.accepted(providerMessageID: "SM-1")], clock: clock)
            return ["sms": ChannelCapabilities(messages: api.value, deliveryReportKind: "status")]
        }
        let id = try #require(try await f.queue(1, on: "sms").first)
        #expect(await f.worker.sendDueItems())
        let sent = try #require(try await f.store.message(id: id))
        #expect(sent.status == .sent && sent.providerMessageID == "SM-1")
        let outbound = try #require(api.value?.sends.first?.message)
        #expect(outbound.from == "+14155550199" && outbound.to == "+14155550100" && outbound.text == "reply 0")
        #expect(outbound.statusCallbackURL == "https://gw.example.com/webhooks/sms/status")
        #expect(await f.router.statusChanges.map(\.status) == [.sending, .sent])
        #expect(try await f.store.outboxDepth() == 0)
        #expect(await f.worker.sendDueItems() == false)
    }

    @Test func aRetryWaitsItsBackoffOrTheProvidersRetryAfterWhicheverIsLonger() async throws {
        let api = ManualBox<ScriptedProviderAPI>()
        let busy = ProviderErrorDetail(code: "429", message: "too many requests")
        let f = Fixture(channels: [Self.sms]) { clock in
            api.value = ScriptedProviderAPI(
                [
                    .retryLater(busy, retryAfter: nil), .retryLater(busy, retryAfter: 30),
                    .accepted(providerMessageID: "SM-3"),
                ],
                clock: clock)
            return ["sms": ChannelCapabilities(messages: api.value)]
        }
        let id = try #require(try await f.queue(1, on: "sms").first)
        let start = f.clock.now()
        await f.worker.sendDueItems()
        #expect(try await f.store.nextOutboxAttempt() == start.addingTimeInterval(2))
        #expect(try await f.store.message(id: id)?.status == .sending)
        f.clock.advance(by: .seconds(1))
        #expect(await f.worker.sendDueItems() == false)
        f.clock.advance(by: .seconds(1))
        await f.worker.sendDueItems()
        // Backoff after two attempts is 4 s; the provider asked for 30.
        #expect(try await f.store.nextOutboxAttempt() == start.addingTimeInterval(32))
        f.clock.advance(by: .seconds(30))
        await f.worker.sendDueItems()
        #expect(try await f.store.message(id: id)?.status == .sent)
        #expect(api.value?.sends.count == 3)
        #expect(api.value?.sends.map(\.message.idempotencyKey) == [id, id, id])
    }

    @Test func retriesStopAtMaxAttempts() async throws {
        let api = ManualBox<ScriptedProviderAPI>()
        let f = Fixture(channels: [Self.sms], outbox: .init(maxAttempts: 2)) { clock in
            api.value = ScriptedProviderAPI(
                [.retryLater(ProviderErrorDetail(code: "503", message: "unavailable"), retryAfter: nil)], clock: clock)
            return ["sms": ChannelCapabilities(messages: api.value)]
        }
        let id = try #require(try await f.queue(1, on: "sms").first)
        await f.worker.sendDueItems()
        f.clock.advance(by: .seconds(2))
        await f.worker.sendDueItems()
        let failed = try #require(try await f.store.message(id: id))
        #expect(failed.status == .failed && failed.error?.code == "503")
        #expect(try await f.store.outboxDepth() == 0)
        #expect(api.value?.sends.count == 2)
    }

    @Test func aPermanentOptOutFailsTheReplyAndOptsTheCustomerOut() async throws {
        let f = Fixture(channels: [Self.sms]) { clock in
            let api = ScriptedProviderAPI(
                [.permanent(ProviderErrorDetail(code: "21610", message: "unsubscribed"), optedOut: true)], clock: clock)
            return ["sms": ChannelCapabilities(messages: api)]
        }
        let id = try #require(try await f.queue(1, on: "sms").first)
        await f.worker.sendDueItems()
        #expect(try await f.store.message(id: id)?.status == .optedOut)
        #expect(try await f.store.isOptedOut(channelID: "sms", customer: "+14155550100"))
        #expect(await f.router.statusChanges.last?.status == .optedOut)
    }

    @Test func aChannelThatSendsNothingFailsItsRepliesWithTheReason() async throws {
        let f = Fixture(channels: [Self.sms]) { _ in ["sms": ChannelCapabilities()] }
        let id = try #require(try await f.queue(1, on: "sms").first)
        await f.worker.sendDueItems()
        let failed = try #require(try await f.store.message(id: id))
        #expect(failed.status == .failed && failed.error?.code == "cannot-send")
    }

    /// 6 one-segment replies on a channel limited to 4 per second leave 0.25 s apart in the clock's time, while
    /// another channel's replies all leave at once.
    @Test func aLimitedChannelIsSpacedByItsRateAndHoldsBackNoOtherChannel() async throws {
        var slow = Configuration.Channel(id: "slow", provider: "sms-provider", numbers: ["+14155550199"])
        slow.maxSegmentsPerSecond = 4
        let fast = Configuration.Channel(id: "fast", provider: "sms-provider", numbers: ["+14155550198"])
        let api = ManualBox<ScriptedProviderAPI>()
        let f = Fixture(channels: [slow, fast]) { clock in
            api.value = ScriptedProviderAPI([.accepted(providerMessageID: "SM")], clock: clock)
            return ["slow": ChannelCapabilities(messages: api.value), "fast": ChannelCapabilities(messages: api.value)]
        }
        _ = try await f.queue(6, on: "slow", customer: "+14155550100")
        _ = try await f.queue(3, on: "fast", customer: "+14155550101")
        let sending = Task { await f.worker.sendDueItems() }
        for step in 0..<6 {
            // Every reply not sent yet is waiting for its turn before time moves on.
            let sent = 3 + 1 + step
            #expect(await waitUntil { (api.value?.sends.count ?? 0) >= sent && f.clock.sleeperCount == 5 - step })
            if step < 5 { f.clock.advance(by: .milliseconds(250)) }
        }
        #expect(await sending.value)
        let sends = try #require(api.value?.sends)
        let offsets = { (channel: String) in
            sends.filter { $0.message.channelID == channel }.map { $0.at.timeIntervalSince(f.clock.epoch) }
        }
        #expect(offsets("fast") == [0, 0, 0])
        #expect(offsets("slow") == [0, 0.25, 0.5, 0.75, 1.0, 1.25])
    }
}
