import Foundation
import Logging

/// One message started by the contact center rather than in answer to a customer (`switchboard send`): opens or
/// continues the customer's conversation, queues the message in the durable outbox, and drives the outbox until
/// the provider accepted the message or it failed for good.
public struct OutboundSend: Sendable {
    let configuration: Configuration
    let channel: Configuration.Channel
    let store: any InboundStore & ConversationStore & OptOutStore & OutboxStore
    /// What the channel's provider can do (its sender above all).
    let capabilities: ChannelCapabilities
    let logger: Logger

    public init(
        configuration: Configuration, channel: Configuration.Channel,
        store: any InboundStore & ConversationStore & OptOutStore & OutboxStore,
        capabilities: ChannelCapabilities, logger: Logger
    ) {
        self.configuration = configuration
        self.channel = channel
        self.store = store
        self.capabilities = capabilities
        self.logger = logger
    }

    public struct Outcome: Sendable {
        public var message: Message
    }

    /// `to` is an E.164 number. Refuses opted-out customers (409 `opted-out`) like an agent's reply.
    public func send(to customer: String, text: String) async throws -> Outcome {
        let (conversation, _) = try await store.openConversation(
            ConversationOpening(
                channelID: channel.id, customerPhone: customer, customerIsPhoneNumber: true, medium: .sms,
                queue: channel.queue, at: Date()))
        let router = SilentRouter()
        let capabilities = [channel.id: self.capabilities]
        let gateway = Gateway(
            configuration: configuration, store: store, router: router, capabilities: capabilities, logger: logger)
        let queued = try await gateway.reply(to: conversation.id, text: text, agentID: nil)
        let worker = OutboxWorker(
            store: store, capabilities: capabilities, configuration: configuration, router: router, logger: logger)
        while true {
            await worker.sendDueItems()
            guard let message = try await store.message(id: queued.id) else {
                throw SwitchboardError.notFound("message \(queued.id) disappeared from the outbox")
            }
            if message.status.isFinal || message.status == .sent { return Outcome(message: message) }
            let next = try await store.nextOutboxAttempt() ?? Date().addingTimeInterval(1)
            try await Task.sleep(for: .milliseconds(max(10, Int64(next.timeIntervalSinceNow * 1000))))
        }
    }
}
