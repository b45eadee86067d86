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
        var record = HandoffRecord(
            channelID: channel.id, dedupeKey: handoff.dedupeKey, customerPhone: customer.key,
            customerIsPhoneNumber: customer.isPhoneNumber, medium: handoff.medium, queue: channel.queue,
            transcript: handoff.transcript, contextJSON: handoff.contextJSON, receivedAt: handoff.receivedAt,
            replayGuard: handoff.replayGuard)
        if let held = try await heldCall(of: handoff) {
            // The bot talked to a caller whose call the gateway holds (ACS): the handoff continues that call's
            // conversation, keeping its `call`, so that an accept connects the call.
            var context = Self.contextObject(handoff.contextJSON)
            context["call"] = Self.contextObject(held.contextJSON)["call"]
            record.channelID = held.channelID
            record.customerPhone = held.customerPhone
            record.customerIsPhoneNumber = CustomerAddress.fromProvider(held.customerPhone).isPhoneNumber
            record.queue = held.queue
            record.contextJSON = Self.jsonText(.object(context))
        }
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

    /// The open voice conversation, on a channel with call control, whose held call the voice handoff's `callId`
    /// names (the call's id or its call connection id).
    private func heldCall(of handoff: BotHandoff) async throws -> Conversation? {
        guard handoff.medium == .voice,
            let callID = Self.contextObject(handoff.contextJSON)["callId"]?.stringValue, !callID.isEmpty
        else { return nil }
        for channel in configuration.channels where capabilities[channel.id]?.calls != nil {
            if let conversation = try await openConversation(ofCall: callID, on: channel) { return conversation }
        }
        return nil
    }
}
