import Foundation

/// The embedded router's decision log (CONTRACT.md §12 "Durable routing state"): every offer, accept, reject,
/// timeout, reroute, assignment, transfer and presence change, with its reason in words, kept across restarts and
/// leader changes for `GET /v1/decisions`.
public protocol DecisionStore: DecisionRetentionStore {
    /// Appends decisions in the order given.
    func appendDecisions(_ decisions: [RoutingDecision]) async throws
    /// The decisions matching `filter`, newest first, at most `filter.limit`.
    func decisions(matching filter: DecisionFilter) async throws -> [RoutingDecision]
}

/// Which decisions `GET /v1/decisions` asks for: about one conversation, work item or agent (or all), newest first.
public struct DecisionFilter: Sendable, Equatable {
    public var conversationID: String?
    public var workItemID: String?
    public var agentID: String?
    public var limit: Int

    public init(conversationID: String? = nil, workItemID: String? = nil, agentID: String? = nil, limit: Int = 100) {
        self.conversationID = conversationID
        self.workItemID = workItemID
        self.agentID = agentID
        self.limit = limit
    }
}
