import Foundation
import Hummingbird
import Switchboard

/// Who is calling the `/v1` API, from the bearer token (CONTRACT.md §5).
enum Principal: Sendable, Equatable {
    case agent(String)
    case supervisor(String)
    case admin
    /// The external core of remote mode (`router.token`): every conversation and contact, no admin routes.
    case core

    /// Supervisors, the admin and the remote core may act on every agent's work.
    var isPrivileged: Bool {
        if case .agent = self { return false }
        return true
    }

    var agentID: String? {
        switch self {
        case .agent(let id), .supervisor(let id): id
        case .admin, .core: nil
        }
    }

    /// The actor of the domain's conversation use cases.
    var conversationActor: ConversationActor {
        switch self {
        case .agent(let id): .agent(id)
        case .supervisor(let id): .supervisor(id)
        case .admin: .admin
        case .core: .core
        }
    }

    /// May this principal act as (or on behalf of) the agent?
    func mayActOn(agent id: String) -> Bool { isPrivileged || agentID == id }
}

/// Maps tokens to principals; compares every configured token in constant time.
struct TokenAuthenticator: Sendable {
    private let entries: [(token: [UInt8], principal: Principal)]

    init(configuration: Configuration) {
        var entries: [(token: [UInt8], principal: Principal)] = []
        if let admin = configuration.adminToken, !admin.isEmpty { entries.append((Array(admin.utf8), .admin)) }
        if configuration.router.mode == .remote, let core = configuration.router.token, !core.isEmpty {
            entries.append((Array(core.utf8), .core))
        }
        for agent in configuration.agents {
            guard let token = agent.token, !token.isEmpty else { continue }
            entries.append(
                (Array(token.utf8), agent.role == .supervisor ? .supervisor(agent.id) : .agent(agent.id)))
        }
        self.entries = entries
    }

    /// The caller of this request: `Authorization: Bearer …`, or `?access_token=` (browsers' EventSource).
    func principal(of request: Request) throws(SwitchboardError) -> Principal {
        let token: String
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer ") else {
                throw .unauthorized("the Authorization header must be 'Bearer <token>'")
            }
            token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        } else if let query = try? request.formQuery(.init()).first("access_token") {
            token = query
        } else {
            throw .unauthorized("this route needs 'Authorization: Bearer <token>'")
        }
        let presented = Array(token.utf8)
        var found: Principal?
        for entry in entries where constantTimeEquals(entry.token, presented) { found = entry.principal }
        guard let found else { throw .unauthorized("the bearer token is not valid") }
        return found
    }
}
