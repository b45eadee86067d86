import Foundation

extension Gateway {
    /// A voice call webhook (CONTRACT.md §3 "Voice."). The call's id is kept in the conversation's context
    /// (`call.id`), which is how later callbacks of the same call find their conversation.
    func ingestCall(_ call: CallEvent, on channel: Configuration.Channel) async throws -> IngestOutcome {
        switch call.change {
        case .incoming(let providerContext, let notifyNow):
            return try await callArrived(call, providerContext: providerContext, notifyNow: notifyNow, on: channel)
        case .botFinished(let status, let escalated, let hungUp, let language, let variablesJSON):
            guard let conversation = try await openConversation(ofCall: call.callID, on: channel) else {
                return .duplicate
            }
            if hungUp { return try await callEnded(conversation) }
            var context = Self.contextObject(conversation.contextJSON)
            var bot = Self.object(context["bot"])
            if let language { bot["language"] = .string(language) }
            if let variables = JSONValue(text: variablesJSON), variables.isObject { bot["variables"] = variables }
            context["bot"] = .object(bot)
            context["reason"] = .string(status)
            let contextJSON = Self.jsonText(.object(context))
            try await store.setConversationContext(id: conversation.id, contextJSON: contextJSON)
            var request = notificationRequest(for: conversation)
            request.contextJSON = contextJSON
            request.scenario = escalated ? .botEscalation : .incomingVoice
            // A call already offered or assigned is not offered again: the router ignores a known conversation.
            await router.notify(request)
            return .stored
        case .ended, .transferAccepted, .transferFailed:
            return try await callLegChanged(call, on: channel)
        }
    }

    private func callArrived(
        _ call: CallEvent, providerContext: String?, notifyNow: Bool, on channel: Configuration.Channel
    ) async throws -> IngestOutcome {
        let customer = CustomerAddress.fromProvider(call.from ?? "")
        let (conversation, opened) = try await store.openConversation(
            ConversationOpening(
                channelID: channel.id, customerPhone: customer.key, customerIsPhoneNumber: customer.isPhoneNumber,
                medium: .voice, queue: channel.voiceQueue, at: call.receivedAt))
        var context = Self.contextObject(conversation.contextJSON)
        // A redelivery of the same call's webhook changes nothing.
        if !opened, Self.object(context["call"])["id"]?.stringValue == call.callID { return .duplicate }
        var callContext: [String: JSONValue] = ["id": .string(call.callID)]
        if let providerContext { callContext["providerContext"] = .string(providerContext) }
        context["call"] = .object(callContext)
        var contextJSON = Self.jsonText(.object(context))
        try await store.setConversationContext(id: conversation.id, contextJSON: contextJSON)
        // The call is known before it is answered, so a redelivery during the answer changes nothing.
        let held = await answer(HeldCall(callID: call.callID, providerContext: providerContext), on: channel)
        if let connectionID = held.connectionID {
            callContext["connectionId"] = .string(connectionID)
            context["call"] = .object(callContext)
            contextJSON = Self.jsonText(.object(context))
            try await store.setConversationContext(id: conversation.id, contextJSON: contextJSON)
        }
        if notifyNow {
            var request = notificationRequest(for: conversation)
            request.contextJSON = contextJSON
            await router.notify(request)
        } else {
            await bringInBot(held, on: channel)
        }
        logger.debug(
            "incoming call",
            metadata: [
                "channel": "\(channel.id)", "conversation": "\(conversation.id)",
                "from": "\(PhoneNumber.masked(conversation.customerPhone))",
            ])
        return .stored
    }

    /// Answers the call where the provider needs it (ACS Call Automation), so that the gateway holds it. A failure
    /// is logged: the call stays as the webhook left it, and the caller is still offered to agents.
    private func answer(_ call: HeldCall, on channel: Configuration.Channel) async -> HeldCall {
        guard let calls = capabilities[channel.id]?.calls else { return call }
        do {
            return try await calls.answer(call, publicURL: configuration.publicURL)
        } catch {
            logger.warning("answering a call on \(channel.id) failed: \(error)")
            return call
        }
    }

    /// A call that waits for the channel's bot (`voice.bot`): the provider brings the bot in, and the bot's handoff
    /// (§4) asks for an agent. A failure is logged: the caller waits, and the provider ends the call.
    private func bringInBot(_ call: HeldCall, on channel: Configuration.Channel) async {
        guard let target = channel.voice?.bot?.target, let calls = capabilities[channel.id]?.calls else { return }
        do {
            try await calls.bringInBot(call, target: target)
        } catch {
            logger.warning("bringing the bot into a call on \(channel.id) failed: \(error)")
        }
    }

    /// Accept and connect: after the router assigned a voice conversation, puts its held call through to the
    /// agent's `voiceEndpoint` (CONTRACT.md §3 "Voice."). Without an endpoint, or on a channel without call control,
    /// the caller stays on hold; a failure is logged and the agent keeps the conversation.
    public func connectCall(conversationID: String) async {
        guard let conversation = try? await store.conversation(id: conversationID), conversation.medium == .voice,
            let agentID = conversation.assignedAgent,
            let endpoint = configuration.agent(id: agentID)?.voiceEndpoint
        else { return }
        do {
            try await connectCall(of: conversation, to: endpoint)
        } catch {
            logger.warning("connecting the call of \(conversationID) to agent \(agentID) failed: \(error)")
        }
    }

    /// `POST /v1/conversations/{id}/connect` (CONTRACT.md §11): the remote core (or the admin) puts a held call
    /// through to an endpoint of its choosing. `404` unknown, `403` for anyone else, `409 closed`, `409
    /// cannot-connect` when there is no held call on a channel with call control, `400` (`field: endpoint`) for
    /// an endpoint that is none, `502 provider-error` when the provider refused.
    public func connectCall(
        conversationID id: String, to endpoint: String, by actor: ConversationActor
    ) async throws -> Conversation {
        guard actor == .core || actor == .admin else {
            throw SwitchboardError.forbidden("only the remote core or the admin connects calls (conversation \(id))")
        }
        let endpoint = endpoint.trimmingWhitespaces()
        guard Self.isCallEndpoint(endpoint) else {
            throw SwitchboardError.invalidRequest(
                "endpoint \"\(endpoint)\" is none of client:…, sip:…, an ACS user id (8:…) or an E.164 number",
                field: "endpoint")
        }
        let conversation = try await conversation(id: id)
        guard conversation.status == .open else {
            throw SwitchboardError.conflict("closed", "conversation \(id) is closed: its call has ended")
        }
        do {
            try await connectCall(of: conversation, to: endpoint)
        } catch let error as SwitchboardError {
            throw error
        } catch {
            throw SwitchboardError(
                status: 502, code: "provider-error",
                message: "the provider of channel \(conversation.channelID) did not connect the call of \(id): \(error)"
            )
        }
        return conversation
    }

    /// `client:…`, `sip:…`, an ACS user id (`8:…`) or an E.164 number.
    static func isCallEndpoint(_ endpoint: String) -> Bool {
        for prefix in ["client:", "sip:", "sips:", "8:"] where endpoint.hasPrefix(prefix) {
            return endpoint.count > prefix.count
        }
        let digits = endpoint.dropFirst()
        return endpoint.hasPrefix("+") && (7...15).contains(digits.count)
            && digits.allSatisfy { ("0"..."9").contains($0) }
    }

    /// Puts the conversation's held call through to `endpoint`; `409 cannot-connect` when it has none.
    private func connectCall(of conversation: Conversation, to endpoint: String) async throws {
        let call = Self.object(Self.contextObject(conversation.contextJSON)["call"])
        guard conversation.medium == .voice, let callID = call["id"]?.stringValue else {
            throw SwitchboardError.conflict(
                "cannot-connect", "conversation \(conversation.id) has no held call to connect")
        }
        guard let calls = capabilities[conversation.channelID]?.calls else {
            throw SwitchboardError.conflict(
                "cannot-connect", "channel \(conversation.channelID) of conversation \(conversation.id) has no voice")
        }
        try await calls.connect(
            HeldCall(
                callID: callID, providerContext: call["providerContext"]?.stringValue,
                connectionID: call["connectionId"]?.stringValue, caller: conversation.customerPhone), to: endpoint)
    }

    /// Closes the call's conversation: the router withdraws a pending offer, or tells the holder
    /// `conversation.closed` (`customer-hung-up`) and releases its capacity.
    func callEnded(_ conversation: Conversation) async throws -> IngestOutcome {
        guard try await store.closeConversation(id: conversation.id, at: clock.now()) != nil else { return .duplicate }
        await router.closeConversation(id: conversation.id, reason: .customerHungUp)
        return .stored
    }

    /// The open voice conversation of the channel whose context names this call (its `call.id`, or the
    /// `call.connectionId` the gateway's answer opened).
    public func openConversation(
        ofCall callID: String, on channel: Configuration.Channel
    ) async throws
        -> Conversation?
    {
        // Open voice conversations of one channel are few (one per live call), so a scan is enough here.
        let open = try await store.conversations(
            matching: ConversationFilter(channelID: channel.id, status: .open, limit: 100_000))
        return open.first { conversation in
            let call = Self.object(Self.contextObject(conversation.contextJSON)["call"])
            return conversation.medium == .voice
                && (call["id"]?.stringValue == callID || call["connectionId"]?.stringValue == callID)
        }
    }

    static func contextObject(_ text: String?) -> [String: JSONValue] { object(JSONValue(text: text)) }

    static func object(_ value: JSONValue?) -> [String: JSONValue] {
        if case .object(let members) = value { return members }
        return [:]
    }

    static func jsonText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A JSONValue holds only JSON, so encoding it cannot fail.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
