import Foundation

/// Who acts on a conversation through the agent API: an agent on the conversations it holds, a supervisor or
/// the admin on any.
public enum ConversationActor: Sendable, Equatable {
    case agent(String)
    case supervisor(String)
    case admin
    /// The external core of remote mode (CONTRACT.md §11).
    case core

    /// Supervisors, the admin and the remote core may act on every agent's work.
    public var isPrivileged: Bool {
        if case .agent = self { return false }
        return true
    }

    /// The agent (or supervisor) acting; `nil` for the admin.
    public var agentID: String? {
        switch self {
        case .agent(let id), .supervisor(let id): id
        case .admin, .core: nil
        }
    }
}

/// The agent API's conversation use cases: read, reply, close.
extension Gateway {
    /// The conversation, or `404 not-found`.
    public func conversation(id: String) async throws -> Conversation {
        guard let conversation = try await store.conversation(id: id) else {
            throw SwitchboardError.notFound("conversation \(id) does not exist")
        }
        return conversation
    }

    public func conversations(matching filter: ConversationFilter) async throws -> [Conversation] {
        try await store.conversations(matching: filter)
    }

    /// The conversation's messages, oldest first.
    public func messages(conversationID: String) async throws -> [Message] {
        try await store.messages(conversationID: conversationID)
    }

    /// Replies and closing need the conversation to be the agent's own (`403 forbidden`); `404` when there is
    /// none.
    public func heldConversation(_ id: String, by actor: ConversationActor) async throws -> Conversation {
        let conversation = try await conversation(id: id)
        guard actor.isPrivileged || conversation.assignedAgent == actor.agentID else {
            throw SwitchboardError.forbidden("conversation \(id) is not assigned to agent \(actor.agentID ?? "")")
        }
        return conversation
    }

    /// `POST /v1/conversations/{id}/close`: closes a conversation the agent holds (or any, for a supervisor or
    /// the admin) in the store, then tells the router, which releases the agent's capacity and tells the holder.
    /// Throws `404`, `403`, and `409 closed` when it is already closed.
    public func close(conversationID id: String, by actor: ConversationActor) async throws -> Conversation {
        let conversation = try await heldConversation(id, by: actor)
        guard conversation.status == .open else {
            throw SwitchboardError.conflict("closed", "conversation \(id) is already closed")
        }
        let reason: ConversationCloseReason =
            switch actor {
            case .agent: .closedByAgent
            case .supervisor, .admin: .closedBySupervisor
            case .core: .closedByCore
            }
        guard let closed = try await store.closeConversation(id: id, at: clock.now()) else {
            throw SwitchboardError.notFound("conversation \(id) does not exist")
        }
        await router.closeConversation(id: id, reason: reason)
        return closed
    }
}
