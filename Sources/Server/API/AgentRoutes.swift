import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Router
import Switchboard

/// `/v1/agents…`: the event stream, agents' state, presence (CONTRACT.md §5, §8).
struct AgentRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.get("/v1/agents") { request, _ in
            _ = try services.authenticator.principal(of: request)
            return try Response.json(["agents": await services.router.agents()])
        }
        router.get("/v1/agents/:id") { request, context in
            _ = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            guard let agent = await services.router.agent(id: id) else {
                throw SwitchboardError.notFound("agent \(id) does not exist")
            }
            return try Response.json(agent)
        }
        router.put("/v1/agents/:id/presence") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            try requireKnownAgent(id)
            guard principal.mayActOn(agent: id) else {
                throw SwitchboardError.forbidden("only agent \(id), a supervisor or the admin may set its presence")
            }
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(PresenceInput.self, from: body, what: "presence of agent \(id)")
            guard let status = PresenceStatus(rawValue: input.status) else {
                throw SwitchboardError.invalidRequest(
                    "\"\(input.status)\" is not a presence; use available, busy, dnd, away or offline", field: "status")
            }
            let snapshot = try await services.router.setPresence(
                agentID: id, status: status, by: principal.routerActor)
            return try Response.json(snapshot)
        }
        router.post("/v1/agents/:id/presence/reset") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            try requireKnownAgent(id)
            guard principal.isPrivileged else {
                throw SwitchboardError.forbidden("only a supervisor or the admin may reset an agent's presence")
            }
            return try Response.json(try await services.router.resetPresence(agentID: id, by: principal.routerActor))
        }
        router.get("/v1/agents/:id/events") { request, context in
            try eventStream(request, agentID: context.parameters.require("id"), channel: context.channel).response()
        }
    }

    /// `GET /v1/agents/{id}/events`, through the router or (``directEventStream(_:channel:)``) before it.
    private func eventStream(_ request: Request, agentID id: String, channel: any Channel) throws -> EventStream {
        let principal = try services.authenticator.principal(of: request)
        try requireKnownAgent(id)
        guard principal.mayActOn(agent: id) else {
            throw SwitchboardError.forbidden("only agent \(id), a supervisor or the admin may read its events")
        }
        let lastEventID = request.headers[.lastEventID].flatMap { Int64($0.trimmingWhitespaces()) }
        return EventStream(services: services, agentID: id, lastEventID: lastEventID, channel: channel)
    }

    /// An agent's event stream opened before the application's router and middleware (``DirectResponder``): a
    /// stream holds its connection's deepest frames for as long as it is open. Only a request that the route would
    /// answer with the stream is answered here: a plain `GET` of `/v1/agents/{id}/events` (no encoded
    /// characters in the id), headers within the limits, a valid token allowed to read that known agent's events.
    /// Anything else (every error) goes on to the router, which answers it as before.
    func directEventStream(_ request: Request, channel: any Channel) -> EventStream? {
        guard request.method == .get, let id = Self.eventStreamAgent(inPath: request.uri.path),
            (try? HeaderLimits.check(request.headers, limits: services.configuration.limits) { "" }) != nil
        else { return nil }
        return try? eventStream(request, agentID: id, channel: channel)
    }

    /// The agent of an event stream's path, `/v1/agents/{id}/events`, when the id needs no decoding.
    static func eventStreamAgent(inPath path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 5, segments[0].isEmpty, segments[1] == "v1", segments[2] == "agents",
            segments[4] == "events", !segments[3].isEmpty, !segments[3].contains("%")
        else { return nil }
        return String(segments[3])
    }

    private func requireKnownAgent(_ id: String) throws {
        guard services.configuration.agent(id: id) != nil else {
            throw SwitchboardError.notFound("agent \(id) does not exist")
        }
    }
}

struct PresenceInput: Decodable {
    var status: String
}

extension Principal {
    var routerActor: RouterActor {
        switch self {
        case .agent(let id): .agent(id)
        case .supervisor(let id): .supervisor(id)
        case .admin, .core: .admin
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
