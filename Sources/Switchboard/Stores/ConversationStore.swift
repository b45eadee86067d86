import Foundation

/// Conversations and their messages, as agents and the API read them.
public protocol ConversationStore: Sendable {
    func conversation(id: String) async throws -> Conversation?
    /// Newest first.
    func conversations(matching filter: ConversationFilter) async throws -> [Conversation]
    /// Oldest first.
    func messages(conversationID: String) async throws -> [Message]
    func message(id: String) async throws -> Message?
    func statusHistory(messageID: String) async throws -> [MessageStatusChange]
    /// Closes the conversation; returns it, or `nil` if unknown. Closing a closed one changes nothing.
    func closeConversation(id: String, at: Date) async throws -> Conversation?
}

/// Who holds a conversation: the one write the router makes.
public protocol AssignmentStore: Sendable {
    /// Records who holds the conversation (`nil`: nobody).
    func assignConversation(id: String, to agentID: String?) async throws
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
