import Foundation

/// Durable state of the gateway. Implemented over SQLite (`Storage.SQLiteStore`) and, later, PostgreSQL;
/// both pass the same conformance suite. Every method is one transaction: a webhook is answered only
/// after the method that stored it returned.
public protocol Store: Sendable {
    /// Fails when the database cannot be reached (`/readyz`).
    func ping() async throws

    // MARK: Inbound

    /// Stores an inbound message: dedupe by (channel, dedupe key), apply the record's ``ReplayGuard`` (throwing its
    /// `403`), link contacts by mobile number, continue the open conversation of (channel, customer) or open one,
    /// append the message.
    func recordInbound(_ record: InboundRecord) async throws -> InboundOutcome

    /// Applies a provider's delivery report: dedupe, apply the record's ``ReplayGuard``, move the message's status
    /// forward only, keep the
    /// provider's error, and on an opt-out signal mark (channel, customer) opted out. A report for a
    /// provider id not known yet is kept and applied when ``markSent(messageID:providerMessageID:at:)``
    /// records that id (status callbacks can beat the send API's answer).
    func recordDeliveryReport(_ record: DeliveryReportRecord) async throws -> DeliveryReportOutcome

    /// Stores one part of a concatenated message (`record.concatenation` set), durably, before its webhook is
    /// answered: dedupe by the part's dedupe key (and by part number within its group), apply the replay guard,
    /// keep the part. The part that completes its group turns the parts, joined in part order, into one inbound
    /// message as ``recordInbound(_:)`` does (dedupe key `concat:` + part 1's key), in the same transaction.
    func recordInboundPart(_ record: InboundRecord) async throws -> InboundPartOutcome

    /// Delivers every incomplete concatenated message of `channelID` whose first part arrived before `cutoff`:
    /// the parts it has in part order, each missing part replaced by ``ConcatenationPart/missingMarker(part:total:)``.
    func flushConcatenations(channelID: String, firstPartBefore cutoff: Date) async throws -> [InboundOutcome]

    /// Stores a bot handoff (``HandoffRecord``); a redelivery of the same dedupe key changes nothing.
    func recordHandoff(_ record: HandoffRecord) async throws -> HandoffOutcome
    /// Replaces the context of a conversation (a voice call's id and its bot's outcome); `false` if unknown.
    @discardableResult func setConversationContext(id: String, contextJSON: String?) async throws -> Bool

    /// Continues the open conversation of (channel, customer) or opens one, without a message (an outbound
    /// message started by the contact center: `switchboard send`).
    func openConversation(_ opening: ConversationOpening) async throws -> (Conversation, opened: Bool)

    // MARK: Contacts

    func createContact(_ contact: Contact) async throws
    /// Inserts many contacts in one transaction; returns how many were inserted.
    @discardableResult func importContacts(_ contacts: [Contact]) async throws -> Int
    func contact(id: String) async throws -> Contact?
    /// Contacts whose mobile phone is this E.164 number, oldest first.
    func contacts(mobilePhoneE164: String) async throws -> [Contact]

    // MARK: Conversations

    func conversation(id: String) async throws -> Conversation?
    /// Newest first.
    func conversations(matching filter: ConversationFilter) async throws -> [Conversation]
    /// Oldest first.
    func messages(conversationID: String) async throws -> [Message]
    func message(id: String) async throws -> Message?
    func statusHistory(messageID: String) async throws -> [MessageStatusChange]
    /// Records who holds the conversation (`nil`: nobody).
    func assignConversation(id: String, to agentID: String?) async throws
    /// Closes the conversation; returns it, or `nil` if unknown. Closing a closed one changes nothing.
    func closeConversation(id: String, at: Date) async throws -> Conversation?

    // MARK: Opt-out

    func isOptedOut(channelID: String, customer: String) async throws -> Bool
    func setOptedOut(channelID: String, customer: String, optedOut: Bool, at: Date) async throws

    // MARK: Outbox

    /// Stores an agent's reply as a `queued` message and an outbox entry, in one transaction.
    func enqueueReply(_ reply: ReplyRecord) async throws -> Message
    /// Outbox entries due at `now` (queued, or retrying with `nextAttemptAt ≤ now`), oldest first.
    /// An entry left `sending` (a crash mid-request) is due again once its sending lease expired — not at once,
    /// or a worker polling during an in-flight request would send the reply twice.
    func dueOutboxItems(now: Date, limit: Int) async throws -> [OutboxItem]
    /// The earliest `nextAttemptAt` of any pending entry, for the worker's sleep.
    func nextOutboxAttempt() async throws -> Date?
    /// How many entries are pending.
    func outboxDepth() async throws -> Int
    /// Claims a due entry for one attempt: message → `sending`, attempt counted, entry not due again until the
    /// sending lease ends. Atomic: of several workers (or instances) claiming the same entry, one gets `true`;
    /// an entry not due at `at` (held by another worker, or retrying later) is left alone and gives `false`.
    @discardableResult func markSending(messageID: String, at: Date) async throws -> Bool
    /// Message → `sent` with the provider's id; outbox entry done. Applies reports that arrived early.
    func markSent(messageID: String, providerMessageID: String, at: Date) async throws -> Message
    /// Back to the outbox, due at `nextAttemptAt`; the error is kept on the entry.
    func scheduleRetry(messageID: String, nextAttemptAt: Date, error: ProviderErrorDetail) async throws
    /// Message → `failed` (or `opted-out`) with the provider's error; outbox entry done.
    func markFailed(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail, at: Date
    ) async throws
        -> Message

    // MARK: Remote core (CONTRACT.md §2 `router.mode = remote`)

    /// Keeps a notification request for the external core until it answered 2xx; `id` is its stable
    /// `webhook-id`. Enqueueing an id twice keeps the first.
    func enqueueCoreNotification(_ notification: CoreNotification) async throws
    /// Requests due at `now`, oldest first.
    func dueCoreNotifications(now: Date, limit: Int) async throws -> [CoreNotification]
    /// The core answered 2xx: forget the request.
    func completeCoreNotification(id: String) async throws
    /// The core did not answer 2xx: try again at `nextAttemptAt`.
    func retryCoreNotification(id: String, nextAttemptAt: Date, error: String) async throws
    /// The earliest pending `nextAttemptAt`, for the worker's sleep.
    func nextCoreNotificationAttempt() async throws -> Date?

    // MARK: Agent events (SSE replay, CONTRACT.md §6)

    /// Appends an event to the agent's log and returns its sequence number (strictly increasing per agent,
    /// kept across restarts). Keeps the last 1,000 events per agent.
    func appendAgentEvent(agentID: String, type: String, data: String, at: Date) async throws -> Int64
    /// Appends several events, in this order, all or none; returns their sequence numbers in the same order.
    /// One transaction instead of one per event (the default implementation appends them one by one).
    func appendAgentEvents(_ events: [NewAgentEvent]) async throws -> [Int64]
    /// Events of the agent with a sequence number above `after`, oldest first.
    func agentEvents(agentID: String, after: Int64) async throws -> [StoredAgentEvent]
    /// The highest sequence number of the agent, 0 if none.
    func lastAgentEventSequence(agentID: String) async throws -> Int64
}

/// An event to append to an agent's log (``Store/appendAgentEvents(_:)``).
public struct NewAgentEvent: Sendable, Equatable {
    public var agentID: String
    public var type: String
    public var data: String
    public var at: Date

    public init(agentID: String, type: String, data: String, at: Date) {
        self.agentID = agentID
        self.type = type
        self.data = data
        self.at = at
    }
}

extension Store {
    public func appendAgentEvents(_ events: [NewAgentEvent]) async throws -> [Int64] {
        var sequences: [Int64] = []
        for event in events {
            sequences.append(
                try await appendAgentEvent(agentID: event.agentID, type: event.type, data: event.data, at: event.at))
        }
        return sequences
    }
}

/// An inbound message to store (``Store/recordInbound(_:)``).
public struct InboundRecord: Sendable, Equatable {
    public var channelID: String
    public var dedupeKey: String
    public var providerMessageID: String
    /// E.164 when the sender is a phone number, else the sender as given.
    public var customerPhone: String
    /// `false` for short codes and alphanumeric senders: they match no contact.
    public var customerIsPhoneNumber: Bool
    public var medium: Medium
    /// The queue a new conversation goes to.
    public var queue: String
    public var author: MessageAuthor
    public var text: String
    public var media: [MediaAttachment]
    public var receivedAt: Date
    /// Applied after the dedupe check, in the same transaction (``ReplayGuard``).
    public var replayGuard: ReplayGuard?
    /// The part this record is, for ``Store/recordInboundPart(_:)``.
    public var concatenation: ConcatenationPart?

    public init(
        channelID: String, dedupeKey: String, providerMessageID: String, customerPhone: String,
        customerIsPhoneNumber: Bool, medium: Medium, queue: String, author: MessageAuthor = .customer, text: String,
        media: [MediaAttachment] = [], receivedAt: Date, replayGuard: ReplayGuard? = nil,
        concatenation: ConcatenationPart? = nil
    ) {
        self.channelID = channelID
        self.dedupeKey = dedupeKey
        self.providerMessageID = providerMessageID
        self.customerPhone = customerPhone
        self.customerIsPhoneNumber = customerIsPhoneNumber
        self.medium = medium
        self.queue = queue
        self.author = author
        self.text = text
        self.media = media
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
        self.concatenation = concatenation
    }
}

/// The conversation to continue or open (``Store/openConversation(_:)``).
public struct ConversationOpening: Sendable, Equatable {
    public var channelID: String
    /// E.164 when the customer is a phone number, else the address as given.
    public var customerPhone: String
    public var customerIsPhoneNumber: Bool
    public var medium: Medium
    public var queue: String
    public var at: Date

    public init(
        channelID: String, customerPhone: String, customerIsPhoneNumber: Bool, medium: Medium, queue: String, at: Date
    ) {
        self.channelID = channelID
        self.customerPhone = customerPhone
        self.customerIsPhoneNumber = customerIsPhoneNumber
        self.medium = medium
        self.queue = queue
        self.at = at
    }
}

/// What ``Store/recordInboundPart(_:)`` did with one part.
public enum InboundPartOutcome: Sendable, Equatable {
    /// This part (or another with its number in the group) was already stored: nothing changed.
    case duplicate
    /// Stored; the message waits for its other parts.
    case waiting
    /// This part completed the message: stored as one inbound message.
    case completed(InboundOutcome)
}

public enum InboundOutcome: Sendable, Equatable {
    /// Already stored: nothing changed.
    case duplicate(conversationID: String?, messageID: String?)
    /// Stored now.
    case stored(conversation: Conversation, message: Message, openedConversation: Bool)
}

/// A delivery report to apply (``Store/recordDeliveryReport(_:)``).
public struct DeliveryReportRecord: Sendable, Equatable {
    public var channelID: String
    public var dedupeKey: String
    public var providerMessageID: String
    public var status: MessageStatus
    public var error: ProviderErrorDetail?
    public var optedOut: Bool
    public var receivedAt: Date
    /// Applied after the dedupe check, in the same transaction (``ReplayGuard``).
    public var replayGuard: ReplayGuard?

    public init(
        channelID: String, dedupeKey: String, providerMessageID: String, status: MessageStatus,
        error: ProviderErrorDetail?, optedOut: Bool, receivedAt: Date, replayGuard: ReplayGuard? = nil
    ) {
        self.channelID = channelID
        self.dedupeKey = dedupeKey
        self.providerMessageID = providerMessageID
        self.status = status
        self.error = error
        self.optedOut = optedOut
        self.receivedAt = receivedAt
        self.replayGuard = replayGuard
    }
}

public enum DeliveryReportOutcome: Sendable, Equatable {
    case duplicate
    /// No message has this provider id yet; the report is kept and applied when one does.
    case pending
    /// Applied; `changed` is false when the report was late or repeated and the status stayed.
    case applied(message: Message, conversation: Conversation, changed: Bool)
}

public struct ConversationFilter: Sendable, Equatable {
    public var channelID: String?
    public var customerPhone: String?
    public var status: ConversationStatus?
    public var assignedAgent: String?
    public var limit: Int

    public init(
        channelID: String? = nil, customerPhone: String? = nil, status: ConversationStatus? = nil,
        assignedAgent: String? = nil, limit: Int = 100
    ) {
        self.channelID = channelID
        self.customerPhone = customerPhone
        self.status = status
        self.assignedAgent = assignedAgent
        self.limit = limit
    }
}

/// An agent's reply to queue (``Store/enqueueReply(_:)``).
public struct ReplyRecord: Sendable, Equatable {
    public var conversationID: String
    public var agentID: String?
    public var text: String
    public var createdAt: Date
    public init(conversationID: String, agentID: String?, text: String, createdAt: Date) {
        self.conversationID = conversationID
        self.agentID = agentID
        self.text = text
        self.createdAt = createdAt
    }
}

/// A reply waiting in the outbox.
public struct OutboxItem: Sendable, Equatable {
    public var messageID: String
    public var conversationID: String
    public var channelID: String
    /// The customer's address (E.164 or as given).
    public var to: String
    public var text: String
    /// Attempts made so far (each ``Store/markSending(messageID:at:)`` counts one).
    public var attempts: Int
    /// When the reply was queued: `repeatabilityFirstSent` and the age limit count from here.
    public var queuedAt: Date
    /// Stable across retries: ACS `repeatabilityRequestId`.
    public var idempotencyKey: String
    public var lastError: ProviderErrorDetail?

    public init(
        messageID: String, conversationID: String, channelID: String, to: String, text: String, attempts: Int,
        queuedAt: Date, idempotencyKey: String, lastError: ProviderErrorDetail? = nil
    ) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.channelID = channelID
        self.to = to
        self.text = text
        self.attempts = attempts
        self.queuedAt = queuedAt
        self.idempotencyKey = idempotencyKey
        self.lastError = lastError
    }
}

/// A notification request waiting to be POSTed to the external core (``Store/enqueueCoreNotification(_:)``).
public struct CoreNotification: Sendable, Equatable {
    /// Stable across retries: the request's `webhook-id`.
    public var id: String
    /// The JSON body, exactly as it is signed and sent.
    public var body: String
    public var createdAt: Date
    /// Attempts made so far.
    public var attempts: Int
    public var lastError: String?

    public init(id: String, body: String, createdAt: Date, attempts: Int = 0, lastError: String? = nil) {
        self.id = id
        self.body = body
        self.createdAt = createdAt
        self.attempts = attempts
        self.lastError = lastError
    }
}

public struct StoredAgentEvent: Sendable, Equatable {
    public var sequence: Int64
    public var type: String
    /// The event's JSON `data`.
    public var data: String
    public var at: Date
    public init(sequence: Int64, type: String, data: String, at: Date) {
        self.sequence = sequence
        self.type = type
        self.data = data
        self.at = at
    }
}
