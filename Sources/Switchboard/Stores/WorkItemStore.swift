import Foundation

/// Work items as the embedded router last left them (CONTRACT.md §12 "Durable routing state"): written whenever
/// one changes, read back at start and at a leader change so that items and the capacity they hold survive.
public protocol WorkItemStore: Sendable {
    /// Inserts or replaces each item (by id), in the order given.
    func saveWorkItems(_ items: [WorkItemRecord]) async throws
    /// Every work item not closed, oldest first.
    func openWorkItems() async throws -> [WorkItemRecord]
}

/// One work item (`POST /v1/work-items`) as stored: what routing it again needs, and who holds it.
public struct WorkItemRecord: Sendable, Hashable {
    public var id: String
    /// `case` or another kind (`work-item` notifications).
    public var kind: String
    public var title: String
    public var queue: String
    public var priority: Int
    /// The agent holding it; `nil` while it waits or is offered.
    public var assignedAgent: String?
    public var createdAt: Date
    /// When it was closed; `nil` while open.
    public var closedAt: Date?

    public init(
        id: String, kind: String, title: String, queue: String, priority: Int, assignedAgent: String?,
        createdAt: Date, closedAt: Date?
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.queue = queue
        self.priority = priority
        self.assignedAgent = assignedAgent
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}
