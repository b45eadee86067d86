import Foundation
import Switchboard

/// A store that keeps only what the router writes (assignments). Everything else throws, so a router that
/// starts depending on more of the store fails its tests loudly instead of reading fake data.
actor InMemoryStore: Store {
    struct Unsupported: Error, CustomStringConvertible {
        let method: String
        var description: String { "InMemoryStore does not implement \(method)" }
    }

    private(set) var assignments: [String: String?] = [:]

    func assignConversation(id: String, to agentID: String?) async throws {
        assignments[id] = .some(agentID)
    }

    func ping() async throws {}

    func recordInbound(_ record: InboundRecord) async throws -> InboundOutcome { throw Unsupported(method: #function) }
    func recordDeliveryReport(_ record: DeliveryReportRecord) async throws -> DeliveryReportOutcome {
        throw Unsupported(method: #function)
    }
    func recordInboundPart(_ record: InboundRecord) async throws -> InboundPartOutcome {
        throw Unsupported(method: #function)
    }
    func flushConcatenations(channelID: String, firstPartBefore cutoff: Date) async throws -> [InboundOutcome] {
        throw Unsupported(method: #function)
    }
    func recordHandoff(_ record: HandoffRecord) async throws -> HandoffOutcome { throw Unsupported(method: #function) }
    func setConversationContext(id: String, contextJSON: String?) async throws -> Bool {
        throw Unsupported(method: #function)
    }
    func openConversation(_ opening: ConversationOpening) async throws -> (Conversation, opened: Bool) {
        throw Unsupported(method: #function)
    }
    func enqueueCoreNotification(_ notification: CoreNotification) async throws { throw Unsupported(method: #function) }
    func dueCoreNotifications(now: Date, limit: Int) async throws -> [CoreNotification] {
        throw Unsupported(method: #function)
    }
    func completeCoreNotification(id: String) async throws { throw Unsupported(method: #function) }
    func retryCoreNotification(id: String, nextAttemptAt: Date, error: String) async throws {
        throw Unsupported(method: #function)
    }
    func nextCoreNotificationAttempt() async throws -> Date? { throw Unsupported(method: #function) }
    func createContact(_ contact: Contact) async throws { throw Unsupported(method: #function) }
    func importContacts(_ contacts: [Contact]) async throws -> Int { throw Unsupported(method: #function) }
    func contact(id: String) async throws -> Contact? { throw Unsupported(method: #function) }
    func contacts(mobilePhoneE164: String) async throws -> [Contact] { throw Unsupported(method: #function) }
    func conversation(id: String) async throws -> Conversation? { throw Unsupported(method: #function) }
    func conversations(matching filter: ConversationFilter) async throws -> [Conversation] {
        throw Unsupported(method: #function)
    }
    func messages(conversationID: String) async throws -> [Message] { throw Unsupported(method: #function) }
    func message(id: String) async throws -> Message? { throw Unsupported(method: #function) }
    func statusHistory(messageID: String) async throws -> [MessageStatusChange] { throw Unsupported(method: #function) }
    func closeConversation(id: String, at: Date) async throws -> Conversation? { throw Unsupported(method: #function) }
    func isOptedOut(channelID: String, customer: String) async throws -> Bool { throw Unsupported(method: #function) }
    func setOptedOut(channelID: String, customer: String, optedOut: Bool, at: Date) async throws {
        throw Unsupported(method: #function)
    }
    func enqueueReply(_ reply: ReplyRecord) async throws -> Message { throw Unsupported(method: #function) }
    func dueOutboxItems(now: Date, limit: Int) async throws -> [OutboxItem] { throw Unsupported(method: #function) }
    func nextOutboxAttempt() async throws -> Date? { throw Unsupported(method: #function) }
    func outboxDepth() async throws -> Int { throw Unsupported(method: #function) }
    func markSending(messageID: String, at: Date) async throws -> Bool { throw Unsupported(method: #function) }
    func markSent(messageID: String, providerMessageID: String, at: Date) async throws -> Message {
        throw Unsupported(method: #function)
    }
    func scheduleRetry(messageID: String, nextAttemptAt: Date, error: ProviderErrorDetail) async throws {
        throw Unsupported(method: #function)
    }
    func markFailed(
        messageID: String, status: MessageStatus, error: ProviderErrorDetail, at: Date
    ) async throws
        -> Message
    {
        throw Unsupported(method: #function)
    }
    func appendAgentEvent(agentID: String, type: String, data: String, at: Date) async throws -> Int64 {
        throw Unsupported(method: #function)
    }
    func agentEvents(agentID: String, after: Int64) async throws -> [StoredAgentEvent] {
        throw Unsupported(method: #function)
    }
    func lastAgentEventSequence(agentID: String) async throws -> Int64 { throw Unsupported(method: #function) }
}

/// Records every published agent event and lets a test wait, bounded, for one to arrive.
actor RecordingSink: AgentEventSink {
    private(set) var published: [(agentID: String, event: AgentEvent)] = []

    func publish(_ event: AgentEvent, to agentID: String) async {
        published.append((agentID, event))
    }

    func events(to agentID: String) -> [AgentEvent] {
        published.filter { $0.agentID == agentID }.map(\.event)
    }

    /// Waits until an event to `agentID` matches, or gives up after `timeout`; returns the match.
    func waitFor(
        _ agentID: String, timeout: Duration = .seconds(5), _ matches: @Sendable (AgentEvent) -> Bool
    ) async -> AgentEvent? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = events(to: agentID).first(where: matches) { return event }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
