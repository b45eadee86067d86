import Foundation
import Switchboard

/// The stores the gateway's use cases and the outbox worker ask for, in memory, for their unit tests.
///
/// It keeps the contract of the protocols that those tests lean on — one dedupe key stored once, one open
/// conversation per (channel, customer), statuses forward only, early reports kept until the send records its
/// id, an outbox entry claimed once — and uses the domain's rules for parts and statuses as the real stores do. It
/// is no third store: contacts, replay nonces and transactions are left out (the conformance suite covers those
/// on SQLite and PostgreSQL).
public actor InMemoryStore: InboundStore, ConversationStore, OptOutStore, OutboxStore {
    public private(set) var conversationsByID: [String: Conversation] = [:]
    public private(set) var messagesByID: [String: Message] = [:]
    private var messageOrder: [String] = []
    private var history: [String: [MessageStatusChange]] = [:]
    private var dedupeKeys: [String: (conversationID: String?, messageID: String?)] = [:]
    private var parts: [String: [StoredConcatenationPart]] = [:]
    private var partsFirstArrived: [String: Date] = [:]
    private var optedOut: Set<String> = []
    private var earlyReports: [String: DeliveryReportRecord] = [:]
    public private(set) var outbox: [String: OutboxItem] = [:]
    /// Events for a remote core written with inbound messages (``InboundRecord/coreEvents``), in order.
    public private(set) var coreEvents: [CoreEvent] = []
    private var due: [String: Date] = [:]
    /// How long a claimed entry is left alone before it is due again (a crash mid-send).
    public let sendingLease: TimeInterval = 60
    private var sequence = 0

    public init() {}

    private func nextID(_ prefix: String) -> String {
        sequence += 1
        return "\(prefix)-\(sequence)"
    }

    // MARK: Inbound

    public func recordInbound(_ record: InboundRecord) async throws -> InboundOutcome {
        let key = "\(record.channelID)|inbound|\(record.dedupeKey)"
        if let seen = dedupeKeys[key] {
            return .duplicate(conversationID: seen.conversationID, messageID: seen.messageID)
        }
        let (conversation, opened) = try await openConversation(
            ConversationOpening(
                channelID: record.channelID, customerPhone: record.customerPhone,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue,
                at: record.receivedAt))
        let message = Message(
            id: nextID("msg"), conversationID: conversation.id, direction: .inbound, author: record.author,
            text: record.text, media: record.media, status: .received, providerMessageID: record.providerMessageID,
            createdAt: record.receivedAt, updatedAt: record.receivedAt)
        store(message)
        dedupeKeys[key] = (conversation.id, message.id)
        if let render = record.coreEvents { coreEvents += render.render(conversation, message, opened) }
        return .stored(conversation: conversation, message: message, openedConversation: opened)
    }

    public func recordInboundPart(_ record: InboundRecord) async throws -> InboundPartOutcome {
        guard let part = record.concatenation else { return .completed(try await recordInbound(record)) }
        let key = "\(record.channelID)|inbound|\(record.dedupeKey)"
        let group = [record.channelID, record.customerPhone, part.recipient, part.reference].joined(separator: "|")
        if dedupeKeys[key] != nil || parts[group, default: []].contains(where: { $0.part == part.part }) {
            return .duplicate
        }
        dedupeKeys[key] = (nil, nil)
        parts[group, default: []].append(
            StoredConcatenationPart(
                part: part.part, total: part.total, text: record.text, receivedAt: record.receivedAt,
                dedupeKey: record.dedupeKey, providerMessageID: record.providerMessageID,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue))
        if partsFirstArrived[group] == nil { partsFirstArrived[group] = record.receivedAt }
        guard parts[group, default: []].count >= part.total else { return .waiting }
        return .completed(
            try await deliver(
                group, channelID: record.channelID, customerPhone: record.customerPhone, coreEvents: record.coreEvents))
    }

    public func flushConcatenations(
        channelID: String, firstPartBefore cutoff: Date, coreEvents: InboundCoreEvents?
    ) async throws -> [InboundOutcome] {
        var outcomes: [InboundOutcome] = []
        let groups = partsFirstArrived.filter { $0.key.hasPrefix(channelID + "|") && $0.value < cutoff }
        for (group, _) in groups.sorted(by: { $0.value < $1.value }) {
            let customer = group.split(separator: "|", omittingEmptySubsequences: false)[1]
            outcomes.append(
                try await deliver(
                    group, channelID: channelID, customerPhone: String(customer), coreEvents: coreEvents))
        }
        return outcomes
    }

    private func deliver(
        _ group: String, channelID: String, customerPhone: String, coreEvents: InboundCoreEvents?
    ) async throws -> InboundOutcome {
        let stored = parts.removeValue(forKey: group) ?? []
        partsFirstArrived[group] = nil
        guard var record = ConcatenationPart.assemble(stored, channelID: channelID, customerPhone: customerPhone)
        else { throw StorageCorruption(what: "concatenated message \(group) has no parts") }
        record.coreEvents = coreEvents
        return try await recordInbound(record)
    }

    public func recordDeliveryReport(_ record: DeliveryReportRecord) async throws -> DeliveryReportOutcome {
        let key = "\(record.channelID)|status|\(record.dedupeKey)"
        if dedupeKeys[key] != nil { return .duplicate }
        dedupeKeys[key] = (nil, nil)
        guard let message = messagesByID.values.first(where: { $0.providerMessageID == record.providerMessageID })
        else {
            earlyReports[record.providerMessageID] = record
            return .pending
        }
        let (updated, changed) = apply(record.status, error: record.error, to: message, at: record.receivedAt)
        guard let conversation = conversationsByID[updated.conversationID] else {
            throw StorageCorruption(what: "message \(updated.id) has no conversation")
        }
        if record.optedOut { optedOut.insert(record.channelID + "|" + conversation.customerPhone) }
        return .applied(message: updated, conversation: conversation, changed: changed)
    }

    public func recordHandoff(_ record: HandoffRecord) async throws -> HandoffOutcome {
        let key = "\(record.channelID)|handoff|\(record.dedupeKey)"
        if let seen = dedupeKeys[key], let conversationID = seen.conversationID {
            return .duplicate(conversationID: conversationID)
        }
        var (conversation, opened) = try await openConversation(
            ConversationOpening(
                channelID: record.channelID, customerPhone: record.customerPhone,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue,
                at: record.receivedAt))
        conversation.contextJSON = record.contextJSON
        conversationsByID[conversation.id] = conversation
        for line in record.transcript {
            store(
                Message(
                    id: nextID("msg"), conversationID: conversation.id, direction: .inbound, author: line.author,
                    text: line.text, status: .received, createdAt: record.receivedAt, updatedAt: record.receivedAt))
        }
        dedupeKeys[key] = (conversation.id, nil)
        return .stored(conversation: conversation, openedConversation: opened)
    }

    public func setConversationContext(id: String, contextJSON: String?) async throws -> Bool {
        guard conversationsByID[id] != nil else { return false }
        conversationsByID[id]?.contextJSON = contextJSON
        return true
    }

    public func openConversation(_ opening: ConversationOpening) async throws -> (Conversation, opened: Bool) {
        if let open = conversationsByID.values.first(where: {
            $0.status == .open && $0.channelID == opening.channelID && $0.customerPhone == opening.customerPhone
        }) {
            return (open, false)
        }
        let conversation = Conversation(
            id: nextID("conv"), channelID: opening.channelID, medium: opening.medium, queue: opening.queue,
            status: .open, customerPhone: opening.customerPhone, match: .none, createdAt: opening.at)
        conversationsByID[conversation.id] = conversation
        return (conversation, true)
    }

    // MARK: Conversations

    public func conversation(id: String) async throws -> Conversation? { conversationsByID[id] }

    public func conversations(matching filter: ConversationFilter) async throws -> [Conversation] {
        let matching = conversationsByID.values.filter { conversation in
            (filter.channelID.map { $0 == conversation.channelID } ?? true)
                && (filter.customerPhone.map { $0 == conversation.customerPhone } ?? true)
                && (filter.status.map { $0 == conversation.status } ?? true)
                && (filter.assignedAgent.map { $0 == conversation.assignedAgent } ?? true)
        }
        return Array(matching.sorted { $0.createdAt > $1.createdAt }.prefix(filter.limit))
    }

    public func messages(conversationID: String) async throws -> [Message] {
        messageOrder.compactMap { messagesByID[$0] }.filter { $0.conversationID == conversationID }
    }

    public func message(id: String) async throws -> Message? { messagesByID[id] }

    public func statusHistory(messageID: String) async throws -> [MessageStatusChange] { history[messageID] ?? [] }

    public func closeConversation(id: String, at: Date) async throws -> Conversation? {
        guard var conversation = conversationsByID[id] else { return nil }
        if conversation.status == .open {
            conversation.status = .closed
            conversation.closedAt = at
            conversationsByID[id] = conversation
        }
        return conversation
    }

    /// For tests that set up who holds a conversation (the router's write).
    public func assign(conversationID: String, to agentID: String?) {
        conversationsByID[conversationID]?.assignedAgent = agentID
    }

    // MARK: Opt-out

    public func isOptedOut(channelID: String, customer: String) async throws -> Bool {
        optedOut.contains(channelID + "|" + customer)
    }

    public func setOptedOut(channelID: String, customer: String, optedOut isOut: Bool, at: Date) async throws {
        if isOut { optedOut.insert(channelID + "|" + customer) } else { optedOut.remove(channelID + "|" + customer) }
    }

    // MARK: Outbox

    public func enqueueReply(_ reply: ReplyRecord) async throws -> Message {
        guard let conversation = conversationsByID[reply.conversationID] else {
            throw SwitchboardError.notFound("conversation \(reply.conversationID) does not exist")
        }
        let message = Message(
            id: nextID("msg"), conversationID: conversation.id, direction: .outbound, author: .agent,
            agentID: reply.agentID, text: reply.text, media: reply.attachments, status: .queued,
            createdAt: reply.createdAt, updatedAt: reply.createdAt)
        store(message)
        outbox[message.id] = OutboxItem(
            messageID: message.id, conversationID: conversation.id, channelID: conversation.channelID,
            to: conversation.customerPhone, text: reply.text, mediaURLs: reply.media, attempts: 0,
            queuedAt: reply.createdAt,
            idempotencyKey: message.id)
        due[message.id] = reply.createdAt
        return message
    }

    public func dueOutboxItems(now: Date, limit: Int) async throws -> [OutboxItem] {
        let ready = due.filter { $0.value <= now }.sorted { $0.value < $1.value }.prefix(limit)
        return ready.compactMap { outbox[$0.key] }
    }

    public func nextOutboxAttempt() async throws -> Date? { due.values.min() }

    public func outboxDepth() async throws -> Int { due.count }

    public func markSending(messageID: String, at: Date) async throws -> Bool {
        guard let next = due[messageID], next <= at, var item = outbox[messageID] else { return false }
        item.attempts += 1
        outbox[messageID] = item
        due[messageID] = at.addingTimeInterval(sendingLease)
        if let message = messagesByID[messageID] { _ = apply(.sending, error: nil, to: message, at: at) }
        return true
    }

    public func markSent(messageID: String, providerMessageID: String, at: Date) async throws -> Message {
        guard var message = messagesByID[messageID] else {
            throw SwitchboardError.notFound("message \(messageID) does not exist")
        }
        due[messageID] = nil
        message.providerMessageID = providerMessageID
        messagesByID[messageID] = message
        var (sent, _) = apply(.sent, error: nil, to: message, at: at)
        if let early = earlyReports.removeValue(forKey: providerMessageID) {
            sent = apply(early.status, error: early.error, to: sent, at: early.receivedAt).message
        }
        return sent
    }

    public func scheduleRetry(messageID: String, nextAttemptAt: Date, error: ProviderErrorDetail) async throws {
        outbox[messageID]?.lastError = error
        due[messageID] = nextAttemptAt
    }

    public func markFailed(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail, at: Date
    ) async throws -> Message {
        guard let message = messagesByID[messageID] else {
            throw SwitchboardError.notFound("message \(messageID) does not exist")
        }
        due[messageID] = nil
        return apply(status, error: error, to: message, at: at).message
    }

    // MARK: Helpers

    private func store(_ message: Message) {
        messagesByID[message.id] = message
        messageOrder.append(message.id)
        history[message.id] = [
            MessageStatusChange(messageID: message.id, status: message.status, error: nil, at: message.createdAt)
        ]
    }

    private func apply(
        _ status: MessageStatus, error: ProviderErrorDetail?, to message: Message, at: Date
    ) -> (message: Message, changed: Bool) {
        guard let (updated, changed) = message.applyingReport(status, error: error, at: at) else {
            return (message, false)
        }
        messagesByID[updated.id] = updated
        if changed {
            history[updated.id, default: []].append(
                MessageStatusChange(messageID: updated.id, status: updated.status, error: updated.error, at: at))
        }
        return (updated, changed)
    }
}
