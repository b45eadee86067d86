import Foundation

extension Gateway {
    /// How many handled event ids a call keeps in its context (`call.events`) to recognise redeliveries.
    static let handledCallEventLimit = 50

    /// A change of a held call's leg (CONTRACT.md §3 "Voice."): the call ended, or the provider put it through to
    /// the agent, or could not. A redelivered event (the same ``CallEvent/dedupeKey``, kept in the context's
    /// `call.events`) changes nothing.
    func callLegChanged(_ call: CallEvent, on channel: Configuration.Channel) async throws -> IngestOutcome {
        guard let conversation = try await openConversation(ofCall: call.callID, on: channel) else {
            return .duplicate
        }
        var context = Self.contextObject(conversation.contextJSON)
        var callContext = Self.object(context["call"])
        var handled = callContext["events"]?.arrayValue ?? []
        if let key = call.dedupeKey {
            if handled.contains(.string(key)) { return .duplicate }
            handled.append(.string(key))
            callContext["events"] = .array(handled.suffix(Self.handledCallEventLimit))
        }
        switch call.change {
        case .ended:
            // After a transfer the caller talks with the agent: only the gateway's own leg left the call.
            if callContext["transferred"]?.boolValue == true { return .duplicate }
            return try await callEnded(conversation)
        case .transferAccepted:
            callContext["transferred"] = .bool(true)
            context["call"] = .object(callContext)
            try await store.setConversationContext(id: conversation.id, contextJSON: Self.jsonText(.object(context)))
            return .stored
        case .transferFailed(let reason):
            guard let agentID = conversation.assignedAgent else { return .duplicate }
            context["call"] = .object(callContext)
            try await store.setConversationContext(id: conversation.id, contextJSON: Self.jsonText(.object(context)))
            logger.warning(
                "the call of \(conversation.id) did not reach agent \(agentID) (\(reason)); it is routed again")
            await router.callConnectFailed(conversationID: conversation.id)
            return .stored
        case .incoming, .botFinished:
            return .duplicate
        }
    }
}
