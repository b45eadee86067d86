import Foundation

/// The agent API's reply use case: checks a reply against the conversation and its channel, then queues it in the
/// durable outbox.
extension Gateway {
    /// Queues an agent's reply: `text`, `media` URLs (MMS), or both. Refuses replies to closed, voice and opted-out
    /// conversations with the §9 error; a reply with neither text nor media (`400`, `field: "text"`), text longer
    /// than the provider sends (`400 limit-exceeded`), and media the channel cannot send (`400`, `field: "media"`,
    /// ``OutboundMedia``).
    public func reply(
        to conversationID: String, text: String, media: [String] = [], agentID: String?
    ) async throws -> Message {
        guard let conversation = try await store.conversation(id: conversationID) else {
            throw SwitchboardError.notFound("conversation \(conversationID) does not exist")
        }
        guard conversation.status == .open else {
            throw SwitchboardError.conflict("closed", "conversation \(conversationID) is closed")
        }
        guard conversation.medium == .sms, let channelCapabilities = capabilities[conversation.channelID],
            channelCapabilities.messages != nil
        else {
            throw SwitchboardError.conflict(
                "cannot-send",
                "conversation \(conversationID) is a \(conversation.medium.rawValue) conversation; "
                    + "replies are sent only in SMS conversations of channels that send messages")
        }
        guard !text.isEmpty || !media.isEmpty else {
            throw SwitchboardError.invalidRequest(
                "reply to conversation \(conversationID) has neither text nor media", field: "text")
        }
        if let channel = configuration.channel(id: conversation.channelID) {
            if let refusal = OutboundMedia.refusal(
                of: media, maxPerMessage: channelCapabilities.maxMediaPerMessage, channelID: channel.id,
                provider: channel.provider)
            {
                throw SwitchboardError.invalidRequest(
                    "reply to conversation \(conversationID): \(refusal)", field: "media")
            }
            if !text.isEmpty,
                let refusal = channelCapabilities.maxMessageLength?.refusal(of: text, provider: channel.provider)
            {
                throw SwitchboardError.limitExceeded(
                    "reply to conversation \(conversationID): \(refusal)", limit: "text")
            }
        }
        if try await store.isOptedOut(channelID: conversation.channelID, customer: conversation.customerPhone) {
            throw SwitchboardError.conflict(
                "opted-out",
                "the customer of conversation \(conversationID) opted out of messages on channel "
                    + "\(conversation.channelID); they must text START to opt back in")
        }
        let message = try await store.enqueueReply(
            ReplyRecord(
                conversationID: conversationID, agentID: agentID, text: text, media: media, createdAt: clock.now()))
        replyQueued()
        return message
    }
}
