import DomainFakes
import Foundation
import Server
import Storage
import Switchboard
import Synchronization
import Testing

/// Per-channel send-rate limits in the running outbox worker over SQLite: a limited channel's replies are spaced by
/// its rate, and they do not hold back another channel's replies. Time is a manual clock, moved only when every
/// reply not sent yet waits for its turn, so the spacing is checked exactly, whatever else the machine runs.
@Suite("Outbox rate limits", .timeLimit(.minutes(1)))
struct OutboxRateLimitTests {
    @Test func aLimitedChannelIsSpacedAndDoesNotDelayOthers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("outbox.sqlite").path)
        let clock = ManualClock()
        var slow = Configuration.Channel(id: "slow", provider: "twilio", numbers: ["+14155550199"])
        slow.maxSegmentsPerSecond = 4
        let fast = Configuration.Channel(id: "fast", provider: "twilio", numbers: ["+14155550198"])
        let configuration = Configuration(channels: [slow, fast])
        let api = ScriptedProviderAPI([.accepted(providerMessageID: "P")], clock: clock)
        // The slow channel's replies are queued first: a batch-at-a-time worker would make the fast ones wait.
        for (channel, count) in [("slow", 6), ("fast", 3)] {
            let (conversation, _) = try await store.openConversation(
                ConversationOpening(
                    channelID: channel, customerPhone: "+1415555\(channel == "slow" ? "0100" : "0101")",
                    customerIsPhoneNumber: true, medium: .sms, queue: "default", at: clock.now()))
            for index in 0..<count {
                _ = try await store.enqueueReply(
                    ReplyRecord(
                        conversationID: conversation.id, agentID: nil, text: "reply \(index)",
                        createdAt: clock.now()))
            }
        }
        let worker = OutboxWorker(
            store: store,
            capabilities: ["slow": ChannelCapabilities(messages: api), "fast": ChannelCapabilities(messages: api)],
            configuration: configuration, router: SilentRouter(), clock: clock, idlePoll: .milliseconds(50))
        let running = Task { await worker.run() }
        for step in 0..<6 {
            let settled = await waitUntil { api.sends.count >= 4 + step && clock.sleeperCount == 5 - step }
            #expect(settled, "step \(step): \(api.sends.count) sent, \(clock.sleeperCount) waiting")
            if step < 5 { clock.advance(by: .milliseconds(250)) }
        }
        running.cancel()
        await running.value
        let offsets = { (channel: String) in
            api.sends.filter { $0.message.channelID == channel }.map { $0.at.timeIntervalSince(clock.epoch) }
        }
        #expect(offsets("fast") == [0, 0, 0])
        #expect(offsets("slow") == [0, 0.25, 0.5, 0.75, 1.0, 1.25])
    }
}
