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
    /// Records several changes as if one after another, in one transaction where the store can (so only each
    /// conversation's last change is written). Returns each change's error, `nil` when stored, in the order
    /// given: `not-found` for a conversation that does not exist; a failed transaction fails every change.
    /// (The default implementation makes them one by one.)
    func assignConversations(_ changes: [ConversationAssignment]) async -> [(any Error)?]
}

/// One change of who holds a conversation (``AssignmentStore/assignConversations(_:)``).
public struct ConversationAssignment: Sendable, Hashable {
    public var conversationID: String
    /// `nil`: nobody.
    public var agentID: String?

    public init(conversationID: String, agentID: String?) {
        self.conversationID = conversationID
        self.agentID = agentID
    }
}

extension AssignmentStore {
    public func assignConversations(_ changes: [ConversationAssignment]) async -> [(any Error)?] {
        await assignConversationsOneByOne(changes)
    }

    /// The changes one after another, each in its own call (a store's fallback when its one transaction fails).
    public func assignConversationsOneByOne(_ changes: [ConversationAssignment]) async -> [(any Error)?] {
        var errors: [(any Error)?] = []
        for change in changes {
            do {
                try await assignConversation(id: change.conversationID, to: change.agentID)
                errors.append(nil)
            } catch {
                errors.append(error)
            }
        }
        return errors
    }
}

extension [ConversationAssignment] {
    /// Each conversation's last change, in the order the conversations first appear: what the changes leave
    /// when made one after another in one transaction.
    public var lastChangePerConversation: [ConversationAssignment] {
        var last: [String: String?] = [:]
        var order: [String] = []
        for change in self {
            if last.updateValue(change.agentID, forKey: change.conversationID) == nil {
                order.append(change.conversationID)
            }
        }
        return order.map { ConversationAssignment(conversationID: $0, agentID: last[$0] ?? nil) }
    }

    /// Every change's error once its transaction committed: `not-found` for the `missing` conversations, else `nil`.
    public func errors(missing: Set<String>) -> [(any Error)?] {
        map { change in
            missing.contains(change.conversationID)
                ? SwitchboardError.notFound("conversation \(change.conversationID) does not exist") : nil
        }
    }
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
