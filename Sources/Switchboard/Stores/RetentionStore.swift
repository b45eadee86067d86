import Foundation

/// Deleting what is older than the retention settings (CONTRACT.md §12), in small batches: each call is one short
/// transaction that deletes at most `limit` rows, so the sweep never holds the write lock long enough to delay a
/// webhook. The sweep (``RetentionSweeper``) calls again until a call deletes fewer than `limit`.
public protocol RetentionStore: Sendable {
    /// Deletes up to `limit` messages created before `cutoff`, with their status history. A reply still in the
    /// outbox is kept until it has been sent or has failed. Returns how many messages were deleted.
    func deleteMessages(createdBefore cutoff: Date, limit: Int) async throws -> Int
    /// Deletes up to `limit` rows of conversations closed before `cutoff`, oldest closed first: a conversation's
    /// messages, then, once it has none left, the conversation (on SQLite in the same batch, so that no emptied
    /// conversation is left for the next batches to step over). Conversations with a reply still in the outbox wait
    /// for it.
    func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) async throws -> RetentionDeletion
    /// Forgets up to `limit` dedupe keys of provider events handled before `cutoff`.
    func deleteDedupeKeys(createdBefore cutoff: Date, limit: Int) async throws -> Int
    /// Forgets up to `limit` replay nonces seen before `cutoff`.
    func deleteReplayNonces(seenBefore cutoff: Date, limit: Int) async throws -> Int
}

/// What one ``RetentionStore/deleteClosedConversations(closedBefore:limit:)`` batch deleted.
public struct RetentionDeletion: Sendable, Equatable {
    public var conversations: Int
    public var messages: Int

    public init(conversations: Int = 0, messages: Int = 0) {
        self.conversations = conversations
        self.messages = messages
    }

    /// Rows deleted in all.
    public var total: Int { conversations + messages }
}

/// The router's decision log as the retention sweep sees it (`retention.decisionsDays`): ``DecisionStore``
/// refines it, and the composition root hands the store to ``RetentionSweeper``.
public protocol DecisionRetentionStore: Sendable {
    /// Deletes up to `limit` decisions made before `cutoff`; returns how many.
    func deleteDecisions(madeBefore cutoff: Date, limit: Int) async throws -> Int
}
