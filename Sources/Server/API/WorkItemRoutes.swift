import Foundation
import Hummingbird
import Router
import Switchboard

/// `/v1/work-items…` (CONTRACT.md §5): records routed like conversations, saved as they change and taken back
/// after a restart or a leader change (§12).
struct WorkItemRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.post("/v1/work-items") { request, _ in
            let principal = try services.authenticator.principal(of: request)
            guard principal.isPrivileged else {
                throw SwitchboardError.forbidden("only a supervisor or the admin may create work items")
            }
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(WorkItemInput.self, from: body, what: "work item")
            guard !input.title.isEmpty else {
                throw SwitchboardError.invalidRequest("work item: title must not be empty", field: "title")
            }
            let snapshot = try await services.router.submitWorkItem(
                WorkItemRequest(
                    id: RecordID.make("wi"), kind: input.kind, title: input.title, queue: input.queue ?? "default",
                    agentID: input.agentId, priority: input.priority ?? 0))
            return try Response.json(WorkItemBody(snapshot), status: .created)
        }
        router.get("/v1/work-items") { request, _ in
            let principal = try services.authenticator.principal(of: request)
            var status: WorkItemStatus?
            if let raw = try request.formQuery(services.configuration.limits).first("status") {
                guard let parsed = WorkItemStatus(rawValue: String(raw)) else {
                    throw SwitchboardError.invalidRequest(
                        "status must be waiting, offered, assigned or closed", field: "status")
                }
                status = parsed
            }
            var items = await services.router.workItems(status: status)
            if !principal.isPrivileged { items = items.filter { $0.assignedAgent == principal.agentID } }
            return try Response.json(["workItems": items.map(WorkItemBody.init)])
        }
        router.get("/v1/work-items/:id") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            guard let item = await services.router.workItem(id: id) else {
                throw SwitchboardError.notFound("work item \(id) does not exist")
            }
            if !principal.isPrivileged {
                guard let agentID = principal.agentID, item.assignedAgent == agentID else {
                    throw SwitchboardError.forbidden(
                        "work item \(id) is not assigned to agent \(principal.agentID ?? "")")
                }
                // Its agent reading it has opened it: it is not rerouted as unseen.
                await services.router.opened(itemID: id, by: agentID)
            }
            return try Response.json(WorkItemBody(item))
        }
        router.post("/v1/work-items/:id/close") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            let item = try await services.router.closeWorkItem(id: id, by: principal.routerActor)
            return try Response.json(WorkItemBody(item))
        }
    }
}

struct WorkItemInput: Decodable {
    var kind: String
    var title: String
    var queue: String?
    var agentId: String?
    var priority: Int?
}

/// A work item with the contract's names; `assignedAgent` is written as `null` while unassigned.
struct WorkItemBody: Encodable {
    let item: WorkItemSnapshot
    init(_ item: WorkItemSnapshot) { self.item = item }

    enum CodingKeys: String, CodingKey {
        case id, kind, title, queue, priority, assignedAgent, status, createdAt, closedAt, offers, waitingReason
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(item.id, forKey: .id)
        try c.encode(item.kind, forKey: .kind)
        try c.encode(item.title, forKey: .title)
        try c.encode(item.queue, forKey: .queue)
        try c.encode(item.priority, forKey: .priority)
        try c.encode(item.assignedAgent, forKey: .assignedAgent)
        try c.encode(item.status, forKey: .status)
        try c.encode(item.createdAt, forKey: .createdAt)
        try c.encodeIfPresent(item.closedAt, forKey: .closedAt)
        let offers = item.offers.map {
            OfferBody(notificationId: $0.notificationId, agentId: $0.agentId, at: $0.at, outcome: $0.outcome)
        }
        try c.encode(offers, forKey: .offers)
        try c.encodeIfPresent(item.waitingReason, forKey: .waitingReason)
    }
}
