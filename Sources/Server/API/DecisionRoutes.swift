import Foundation
import Hummingbird
import Router
import Switchboard

/// `GET /v1/decisions` (CONTRACT.md §5, §12): the router's decisions about a conversation, a work item or an
/// agent, newest first, from the stored log; supervisors and the admin only.
struct DecisionRoutes: Sendable {
    let services: GatewayServices
    static let defaultLimit = 100
    static let maxLimit = 1000

    func register(on router: Router<ConnectionContext>) {
        router.get("/v1/decisions") { request, _ in
            let principal = try services.authenticator.principal(of: request)
            guard principal.isPrivileged else {
                throw SwitchboardError.forbidden("only a supervisor or the admin may read the router's decisions")
            }
            let query = try request.formQuery(services.configuration.limits)
            var filter = DecisionFilter(
                conversationID: query.first("conversationId"),
                workItemID: query.first("workItemId"), agentID: query.first("agentId"),
                limit: Self.defaultLimit)
            if let raw = query.first("limit") {
                guard let limit = Int(raw), (1...Self.maxLimit).contains(limit) else {
                    throw SwitchboardError.invalidRequest(
                        "limit must be a whole number from 1 to \(Self.maxLimit)", field: "limit")
                }
                filter.limit = limit
            }
            var decisions = try await services.router.storedDecisions(matching: filter)
            if decisions == nil {
                let inMemory = await services.router.decisions()
                decisions = Array(inMemory.reversed().filter { Self.matches($0, filter) }.prefix(filter.limit))
            }
            return try Response.json(["decisions": (decisions ?? []).map(DecisionBody.init)])
        }
    }

    /// The in-memory log read like the stored one (a router without a decision store: tests, benchmarks).
    static func matches(_ decision: RoutingDecision, _ filter: DecisionFilter) -> Bool {
        (filter.conversationID.map { $0 == decision.conversationID } ?? true)
            && (filter.workItemID.map { $0 == decision.workItemID } ?? true)
            && (filter.agentID.map { $0 == decision.agentID } ?? true)
    }
}

/// A decision with the contract's names.
struct DecisionBody: Encodable {
    var at: Date
    var kind: String
    var conversationId: String?
    var workItemId: String?
    var agentId: String?
    var notificationId: String?
    var reason: String

    init(_ decision: RoutingDecision) {
        at = decision.at
        kind = decision.kind.rawValue
        conversationId = decision.conversationID
        workItemId = decision.workItemID
        agentId = decision.agentID
        notificationId = decision.notificationID
        reason = decision.reason
    }
}
