import DomainFakes
import Foundation
import Switchboard
import Testing

/// Replies with media (MMS): refused where the channel's provider cannot send them, checked URL by URL, stored on
/// the message and handed to the provider by the outbox worker.
@Suite("Gateway: replies with media")
struct GatewayMediaReplyTests {
    typealias Fixture = GatewayTests.Fixture

    static let photo = "https://media.example.com/photo.jpg"

    func conversation(_ f: Fixture) async throws -> String {
        _ = try await f.gateway.ingest(f.inbound("SM-a"), on: GatewayTests.sms)
        return try #require(await f.router.notified.first?.conversationID)
    }

    func refusal(
        _ f: Fixture, _ conversationID: String, text: String = "see this", media: [String]
    ) async -> SwitchboardError? {
        await #expect(throws: SwitchboardError.self) {
            _ = try await f.gateway.reply(to: conversationID, text: text, media: media, agentID: "alice")
        }
    }

    @Test func mediaOnAChannelWhoseProviderSendsNoneIsRefusedNamingChannelAndProvider() async throws {
        let f = Fixture(maxMediaPerMessage: 0)
        let conversationID = try await conversation(f)
        let error = await refusal(f, conversationID, media: [Self.photo])
        #expect(error?.status == 400 && error?.code == "invalid-request" && error?.field == "media")
        #expect(error?.message.contains("channel sms (sms-provider) cannot send media") == true)
        #expect(try await f.store.outboxDepth() == 0)
        // The same reply without media goes out.
        _ = try await f.gateway.reply(to: conversationID, text: "see this", agentID: "alice")
        #expect(try await f.store.outboxDepth() == 1)
    }

    @Test func moreURLsThanTheProviderTakesAreRefused() async throws {
        let f = Fixture(maxMediaPerMessage: 3)
        let conversationID = try await conversation(f)
        let four = (1...4).map { "https://media.example.com/\($0).png" }
        let error = await refusal(f, conversationID, media: four)
        #expect(error?.field == "media")
        #expect(error?.message.contains("4 media URLs") == true && error?.message.contains("at most 3") == true)
        _ = try await f.gateway.reply(to: conversationID, text: "", media: Array(four.prefix(3)), agentID: "alice")
        #expect(try await f.store.outboxDepth() == 1)
    }

    @Test(arguments: [
        "ftp://media.example.com/a.png", "/relative/a.png", "media.example.com/a.png", "https://",
        "javascript:alert(1)",
        "https://media example.com/a.png", "",
    ])
    func aURLThatIsNotAbsoluteHTTPIsRefused(url: String) async throws {
        let f = Fixture(maxMediaPerMessage: 10)
        let conversationID = try await conversation(f)
        let error = await refusal(f, conversationID, media: [Self.photo, url])
        #expect(error?.field == "media")
        #expect(error?.message.contains("media[1]") == true)
        #expect(try await f.store.outboxDepth() == 0)
    }

    @Test func aReplyNeedsTextOrMedia() async throws {
        let f = Fixture(maxMediaPerMessage: 10)
        let conversationID = try await conversation(f)
        let error = await refusal(f, conversationID, text: "", media: [])
        #expect(error?.status == 400 && error?.field == "text")
    }

    /// Media alone is a reply; the message carries the URLs without a content type, and the worker sends them.
    @Test func aMediaOnlyReplyIsStoredAndSentWithItsURLs() async throws {
        let f = Fixture(maxMediaPerMessage: 10)
        let conversationID = try await conversation(f)
        let second = "http://media.example.com/menu.pdf"
        let message = try await f.gateway.reply(
            to: conversationID, text: "", media: [Self.photo, second], agentID: "alice")
        #expect(message.text == "")
        #expect(
            message.media == [
                MediaAttachment(url: Self.photo, contentType: nil), MediaAttachment(url: second, contentType: nil),
            ])
        let worker = OutboxWorker(
            store: f.store, capabilities: f.gateway.capabilities, configuration: f.gateway.configuration,
            router: f.router, clock: f.clock)
        await worker.sendDueItems()
        let sent = try #require(f.api.sends.first?.message)
        #expect(sent.mediaURLs == [Self.photo, second])
        #expect(sent.text == "")
        #expect(try await f.store.message(id: message.id)?.status == .sent)
    }

    /// Queued while the channel could send media, sent after a reload took that away: failed, never sent without
    /// its media.
    @Test func theWorkerFailsMediaTheChannelCanNoLongerSend() async throws {
        let f = Fixture(maxMediaPerMessage: 10)
        let conversationID = try await conversation(f)
        let message = try await f.gateway.reply(to: conversationID, text: "hi", media: [Self.photo], agentID: nil)
        let worker = OutboxWorker(
            store: f.store, capabilities: [GatewayTests.sms.id: ChannelCapabilities(messages: f.api)],
            configuration: f.gateway.configuration, router: f.router, clock: f.clock)
        await worker.sendDueItems()
        #expect(f.api.sends.isEmpty)
        let failed = try #require(try await f.store.message(id: message.id))
        #expect(failed.status == .failed && failed.error?.code == "cannot-send-media")
    }

    /// What the `/v1` answers write: `contentType` is always there, `null` when unknown.
    @Test func anAttachmentWithoutContentTypeEncodesNull() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode([MediaAttachment(url: Self.photo, contentType: nil)])
        #expect(
            String(decoding: json, as: UTF8.self)
                == #"[{"contentType":null,"url":"https://media.example.com/photo.jpg"}]"#)
        #expect(
            try JSONDecoder().decode([MediaAttachment].self, from: json) == [
                MediaAttachment(url: Self.photo, contentType: nil)
            ])
    }
}
