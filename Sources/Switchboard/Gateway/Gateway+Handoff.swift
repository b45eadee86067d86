import Foundation

extension Gateway {
    /// Stores a bot handoff and asks the router for an agent (`bot-escalation`). Returns the conversation it
    /// opened or continued, which the bot is answered with; a redelivery gets the first delivery's conversation
    /// and notifies nobody. A conversation already offered or assigned is not offered again: the router ignores
    /// a request for a conversation it knows.
    public func ingestHandoff(
        _ handoff: BotHandoff, on channel: Configuration.Channel
    ) async throws -> (outcome: IngestOutcome, conversationID: String) {
        let customer = CustomerAddress.fromProvider(handoff.customerPhone)
        let record = HandoffRecord(
            channelID: channel.id, dedupeKey: handoff.dedupeKey, customerPhone: customer.key,
            customerIsPhoneNumber: customer.isPhoneNumber, medium: handoff.medium, queue: channel.queue,
            transcript: handoff.transcript, contextJSON: handoff.contextJSON, receivedAt: handoff.receivedAt,
            replayGuard: handoff.replayGuard)
        switch try await store.recordHandoff(record) {
        case .duplicate(let conversationID):
            return (.duplicate, conversationID)
        case .stored(let conversation, _):
            var request = notificationRequest(for: conversation)
            request.scenario = .botEscalation
            request.priority = handoff.priority
            await router.notify(request)
            logger.debug(
                "stored bot handoff",
                metadata: [
                    "channel": "\(channel.id)", "conversation": "\(conversation.id)",
                    "customer": "\(PhoneNumber.masked(conversation.customerPhone))",
                ])
            return (.stored, conversation.id)
        }
    }
}
