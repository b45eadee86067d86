import Foundation
import Logging

/// The gateway's domain service: what happens to a verified, decoded provider event, and to an agent's reply.
/// No HTTP or SQL types: `Server` calls it with domain values, and it talks to the `Store` and the `CoreRouter`.
public struct Gateway: Sendable {
    /// The configuration and channel capabilities in force, read per call so that a reload applies at once.
    public let live: LiveConfiguration
    public var configuration: Configuration { live.configuration }
    public let store: any InboundStore & ConversationStore & OptOutStore & OutboxStore
    public let router: any CoreRouter
    /// What each channel's provider can do, by channel id.
    public var capabilities: [String: ChannelCapabilities] { live.capabilities }
    public let clock: any WallClock
    let logger: Logger
    /// Called after a reply was queued, so the outbox worker sends it at once.
    let replyQueued: @Sendable () -> Void

    public init(
        configuration: Configuration, store: any InboundStore & ConversationStore & OptOutStore & OutboxStore,
        router: any CoreRouter,
        capabilities: [String: ChannelCapabilities], clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "switchboard.gateway"), replyQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.init(
            live: LiveConfiguration(configuration: configuration, capabilities: capabilities), store: store,
            router: router, clock: clock, logger: logger, replyQueued: replyQueued)
    }

    /// A gateway that reads its configuration and capabilities from `live`, which a reload replaces.
    public init(
        live: LiveConfiguration, store: any InboundStore & ConversationStore & OptOutStore & OutboxStore,
        router: any CoreRouter, clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "switchboard.gateway"), replyQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.live = live
        self.store = store
        self.router = router
        self.clock = clock
        self.logger = logger
        self.replyQueued = replyQueued
    }

    /// How one provider event was handled.
    public enum IngestOutcome: Sendable, Equatable {
        /// Stored now (a message, or a delivery report that was applied or kept for later).
        case stored
        /// Already stored before: nothing changed, nobody notified again.
        case duplicate
    }

    /// Stores one event durably and then tells the router. Returns once the event is committed.
    public func ingest(_ event: InboundEvent, on channel: Configuration.Channel) async throws -> IngestOutcome {
        switch event {
        case .message(let message): try await ingestMessage(message, on: channel)
        case .status(let report): try await ingestReport(report, on: channel)
        case .handoff(let handoff): try await ingestHandoff(handoff, on: channel).outcome
        case .call(let call): try await ingestCall(call, on: channel)
        }
    }

    private func ingestMessage(
        _ inbound: InboundMessage, on channel: Configuration.Channel
    ) async throws
        -> IngestOutcome
    {
        let customer = CustomerAddress.keyFromProvider(inbound.from)
        let record = InboundRecord(
            channelID: channel.id, dedupeKey: inbound.dedupeKey, providerMessageID: inbound.providerMessageID,
            customerPhone: customer.key, customerIsPhoneNumber: customer.isPhoneNumber, medium: inbound.medium,
            queue: channel.queue, text: inbound.text, media: inbound.media, receivedAt: inbound.receivedAt,
            replayGuard: inbound.replayGuard, coreEvents: router.inboundEvents)
        let outcome: InboundOutcome
        if let part = inbound.concatenation, part.total > 1 {
            var record = record
            record.concatenation = part
            // Each part is stored before its webhook is answered; only the part that completes the message
            // (or the sweeper, ``flushIncompleteConcatenations(now:)``) produces a message.
            switch try await store.recordInboundPart(record) {
            case .duplicate: return .duplicate
            case .waiting: return .stored
            case .completed(let completed): outcome = completed
            }
        } else {
            outcome = try await store.recordInbound(record)
        }
        guard case .stored = outcome else { return .duplicate }
        try await announce(outcome, on: channel)
        return .stored
    }

    /// Opt keywords, then the router: a new conversation is offered, a continued one gets the message.
    private func announce(_ outcome: InboundOutcome, on channel: Configuration.Channel) async throws {
        guard case .stored(let conversation, let message, let opened) = outcome else { return }
        try await applyOptKeywords(in: message.text, conversation: conversation, on: channel)
        if router.inboundEvents != nil {
            await router.inboundEventsWritten()
        } else if opened {
            await router.notify(notificationRequest(for: conversation))
        } else {
            await router.messageArrived(message, in: conversation)
        }
        logger.debug(
            "stored inbound message",
            metadata: [
                "channel": "\(channel.id)", "conversation": "\(conversation.id)",
                "from": "\(PhoneNumber.masked(conversation.customerPhone))",
            ])
    }

    /// Whether any channel receives long SMS in parts, so that ``flushIncompleteConcatenations(now:)`` has work.
    public var joinsMessageParts: Bool {
        capabilities.values.contains { $0.joinsMessageParts }
    }

    /// Delivers, marked incomplete, every concatenated message whose first part arrived more than the channel's
    /// `concatWaitSeconds` (default 60 s) before `now`. The server calls it periodically; returns how many
    /// messages it delivered.
    @discardableResult
    public func flushIncompleteConcatenations(now: Date) async throws -> Int {
        var delivered = 0
        for channel in configuration.channels where capabilities[channel.id]?.joinsMessageParts == true {
            let wait = channel.concatWaitSeconds ?? Configuration.Channel.defaultConcatWaitSeconds
            let outcomes = try await store.flushConcatenations(
                channelID: channel.id, firstPartBefore: now.addingTimeInterval(-wait), coreEvents: router.inboundEvents)
            for outcome in outcomes {
                try await announce(outcome, on: channel)
                if case .stored = outcome { delivered += 1 }
            }
        }
        return delivered
    }

    /// A message whose whole text is an opt-out (opt-in) keyword opts the customer out (back in) on the channel.
    private func applyOptKeywords(
        in text: String, conversation: Conversation, on channel: Configuration.Channel
    ) async throws {
        guard let optedOut = OptKeywords.of(channel).match(text) else { return }
        try await store.setOptedOut(
            channelID: channel.id, customer: conversation.customerPhone, optedOut: optedOut, at: clock.now())
        await router.customerOptChanged(optedOut: optedOut, conversationID: conversation.id)
    }

    /// A message (or a configured keyword) as a keyword: trimmed, upper-cased, inner runs of whitespace as one
    /// space, so `opt  out` is `OPT OUT`.
    static func keyword(_ text: String) -> String {
        let trimmed = trimmedOfWhitespace(text).uppercased()
        guard trimmed.contains(where: \.isWhitespace) else { return trimmed }
        return trimmed.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `text` without leading and trailing whitespace and newlines; text that has none (most messages) is returned
    /// as it is without going through Foundation.
    static func trimmedOfWhitespace(_ text: String) -> String {
        let blank = CharacterSet.whitespacesAndNewlines
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
            blank.contains(first) || blank.contains(last)
        else { return text }
        return text.trimmingCharacters(in: blank)
    }

    private func ingestReport(
        _ report: DeliveryReport, on channel: Configuration.Channel
    ) async throws
        -> IngestOutcome
    {
        let record = DeliveryReportRecord(
            channelID: channel.id, dedupeKey: report.dedupeKey, providerMessageID: report.providerMessageID,
            status: report.status, error: report.error, optedOut: report.optedOut, receivedAt: report.receivedAt,
            replayGuard: report.replayGuard)
        switch try await store.recordDeliveryReport(record) {
        case .duplicate:
            return .duplicate
        case .pending:
            return .stored
        case .applied(let message, let conversation, let changed):
            if changed { await router.messageStatusChanged(message, in: conversation) }
            if report.optedOut { await router.customerOptChanged(optedOut: true, conversationID: conversation.id) }
            return .stored
        }
    }

    /// The request the router gets for a conversation that needs an agent.
    public func notificationRequest(for conversation: Conversation) -> NotificationRequest {
        NotificationRequest(opening: conversation)
    }
}
