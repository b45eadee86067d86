import Foundation
import Server
import Storage
import Switchboard
import Synchronization
import Testing

/// Per-channel send-rate limits in the running outbox worker: a limited channel's replies are spaced by its rate,
/// and they do not hold back another channel's replies.
@Suite("Outbox rate limits", .timeLimit(.minutes(1)))
struct OutboxRateLimitTests {
    /// Records when each channel's sends happened.
    final class RecordingAPI: ProviderAPI {
        let sends = Mutex([(channel: String, at: ContinuousClock.Instant)]())
        func send(_ message: OutboundMessage) async -> SendOutcome {
            sends.withLock { $0.append((message.channelID, ContinuousClock.now)) }
            return .accepted(providerMessageID: "P-\(message.messageID)")
        }
    }

    @Test func aLimitedChannelIsSpacedAndDoesNotDelayOthers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("outbox.sqlite").path)
        var slow = Configuration.Channel(id: "slow", provider: .twilio, numbers: ["+14155550199"])
        slow.maxSegmentsPerSecond = 4
        let fast = Configuration.Channel(id: "fast", provider: .twilio, numbers: ["+14155550198"])
        let configuration = Configuration(channels: [slow, fast])
        let api = RecordingAPI()
        // The slow channel's replies are queued first: a batch-at-a-time worker would make the fast ones wait.
        for (channel, count) in [("slow", 6), ("fast", 3)] {
            let (conversation, _) = try await store.openConversation(
                ConversationOpening(
                    channelID: channel, customerPhone: "+1415555\(channel == "slow" ? "0100" : "0101")",
                    customerIsPhoneNumber: true, medium: .sms, queue: "default", at: Date()))
            for index in 0..<count {
                _ = try await store.enqueueReply(
                    ReplyRecord(
                        conversationID: conversation.id, agentID: nil, text: "reply \(index)", createdAt: Date()))
            }
        }
        let worker = OutboxWorker(
            store: store,
            capabilities: ["slow": ChannelCapabilities(messages: api), "fast": ChannelCapabilities(messages: api)],
            configuration: configuration, router: SilentRouter(),
            idlePoll: .milliseconds(50))
        let started = ContinuousClock.now
        let running = Task { await worker.run() }
        while api.sends.withLock({ $0.count }) < 9, ContinuousClock.now - started < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.cancel()
        await running.value
        let sends = api.sends.withLock { $0 }
        #expect(sends.count == 9)
        let slowTimes = sends.filter { $0.channel == "slow" }.map(\.at)
        let fastTimes = sends.filter { $0.channel == "fast" }.map(\.at)
        // 6 one-segment sends at 4 per second: between any two of them lie at least all but one of the 0.25 s
        // intervals (the limiter's "at most its rate plus one send": a send that starts late shortens only the
        // gap after it), less a little timer jitter.
        for i in slowTimes.indices {
            for j in slowTimes.indices where j > i {
                #expect(slowTimes[j] - slowTimes[i] >= .milliseconds(250 * (j - i - 1) - 60))
            }
        }
        // The fast channel is done before the slow one is half way.
        if let lastFast = fastTimes.max(), slowTimes.count == 6 {
            #expect(lastFast < slowTimes[3])
        }
    }
}
