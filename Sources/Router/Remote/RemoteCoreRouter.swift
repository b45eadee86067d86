import Curl
import Foundation
import Logging
import Switchboard

/// `router.mode = remote` (CONTRACT.md §11): Switchboard is the channel side of an existing contact-center core.
/// Nothing is decided here: every notification request, inbound message, status change, close and opt-out
/// becomes an event in the durable outbox (``CoreEventStore``), which ``CoreEventSender`` POSTs to the core.
///
/// An inbound message's events are written by the store in the message's own transaction
/// (``inboundEvents``); the rest are queued right after their change was committed.
public final class RemoteCoreRouter: CoreRouter, Sendable {
    let store: any CoreEventStore & ConversationStore
    let clock: any WallClock
    let logger: Logger
    /// Delivers what is queued here.
    public let sender: CoreEventSender

    public init(
        url: String, secret: String, store: any CoreEventStore & ConversationStore, client: CurlClient,
        clock: any WallClock = SystemWallClock(), metrics: Metrics = Metrics(), idlePoll: Duration = .seconds(5),
        logger: Logger
    ) {
        self.store = store
        self.clock = clock
        self.logger = logger
        sender = CoreEventSender(
            url: url, secret: secret, store: store, client: client, clock: clock, metrics: metrics, logger: logger,
            idlePoll: idlePoll)
    }

    public var inboundEvents: InboundCoreEvents? {
        InboundCoreEvents(
            render: { conversation, message, opened in
                Self.inboundEvents(conversation: conversation, message: message, opened: opened)
            }, handOff: sender)
    }

    /// `message.received`, then `notification.request` when the message opened its conversation. Their ids come
    /// from the message's, so a message is announced under the same `webhook-id`s however often it is rendered.
    static func inboundEvents(conversation: Conversation, message: Message, opened: Bool) -> [CoreEvent] {
        var events: [CoreEvent] = []
        if let event = try? receivedEvent(message, in: conversation) { events.append(event) }
        if opened {
            let request = NotificationRequest(opening: conversation)
            let envelope = CoreEventBodies.Envelope(
                id: "evt_" + message.id + "_request", type: "notification.request", request: request)
            if let event = try? envelope.event(CoreEventBodies.NotificationFields(request: request)) {
                events.append(event)
            }
        }
        return events
    }

    public func inboundEventsWritten() async {
        sender.wake()
    }

    public func notify(_ request: NotificationRequest) async {
        let envelope = CoreEventBodies.Envelope(
            id: RecordID.make("evt"), type: "notification.request", request: request)
        await queue("notification.request of \(request.conversationID)") {
            try envelope.event(CoreEventBodies.NotificationFields(request: request))
        }
    }

    /// Inbound messages arrive through ``inboundEvents``; this one is kept for messages stored without them.
    public func messageArrived(_ message: Message, in conversation: Conversation) async {
        await queue("message.received of \(message.id)") { try Self.receivedEvent(message, in: conversation) }
    }

    /// `message.received`, its id from the message's (one `webhook-id` however often it is rendered).
    static func receivedEvent(_ message: Message, in conversation: Conversation) throws -> CoreEvent {
        try CoreEventBodies.Envelope(
            id: "evt_" + message.id, type: "message.received", at: message.createdAt, conversation: conversation
        ).event(CoreEventBodies.MessageFields(message: MessageBody(message)))
    }

    public func messageStatusChanged(_ message: Message, in conversation: Conversation) async {
        await queue("message.status of \(message.id)") {
            try CoreEventBodies.Envelope(
                id: RecordID.make("evt"), type: "message.status", at: clock.now(), conversation: conversation
            ).event(CoreEventBodies.StatusFields(messageId: message.id, status: message.status, error: message.error))
        }
    }

    public func closeConversation(id: String, reason: ConversationCloseReason) async {
        guard let conversation = await conversation(id) else { return }
        await queue("conversation.closed of \(id)") {
            try CoreEventBodies.Envelope(
                id: RecordID.make("evt"), type: "conversation.closed", at: clock.now(), conversation: conversation
            ).event(CoreEventBodies.ReasonFields(reason: reason.rawValue))
        }
    }

    public func customerOptChanged(optedOut: Bool, conversationID: String) async {
        guard let conversation = await conversation(conversationID) else { return }
        let type = optedOut ? "customer.opted-out" : "customer.opted-in"
        await queue("\(type) in \(conversationID)") {
            try CoreEventBodies.Envelope(
                id: RecordID.make("evt"), type: type, at: clock.now(), conversation: conversation
            )
            .event(CoreEventBodies.NoFields())
        }
    }

    private func conversation(_ id: String) async -> Conversation? {
        do {
            return try await store.conversation(id: id)
        } catch {
            logger.error("remote core: cannot read conversation \(id) for its event: \(error)")
            return nil
        }
    }

    private func queue(_ what: String, _ event: () throws -> CoreEvent) async {
        do {
            try await store.enqueueCoreEvents([try event()])
            sender.wake()
        } catch {
            logger.error("remote core: cannot queue the \(what): \(error)")
        }
    }
}
