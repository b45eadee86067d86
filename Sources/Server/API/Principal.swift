import Crypto
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

/// Maps tokens to principals. A presented token is looked up by its SHA-256 digest, then compared with the one
/// configured token of that digest in constant time: the lookup's timing depends on a digest the caller cannot
/// steer toward a configured token, and a request costs the same with 10 agents as with 10,000 (comparing it with
/// every configured token, as before, was about 0.9 ms of CPU a request at 10,000 agents: 13.4 s to open 10,000
/// streams, 4.5 s now).
struct TokenAuthenticator: Sendable {
    private let entries: [[UInt8]: (token: [UInt8], principal: Principal)]

    init(configuration: Configuration) {
        var entries: [[UInt8]: (token: [UInt8], principal: Principal)] = [:]
        func add(_ token: String, _ principal: Principal) {
            let bytes = Array(token.utf8)
            // A token configured twice names its last holder, as the comparison with every token did.
            entries[Self.digest(bytes)] = (bytes, principal)
        }
        if let admin = configuration.adminToken, !admin.isEmpty { add(admin, .admin) }
        if configuration.router.mode == .remote, let core = configuration.router.token, !core.isEmpty {
            add(core, .core)
        }
        for agent in configuration.agents {
            guard let token = agent.token, !token.isEmpty else { continue }
            add(token, agent.role == .supervisor ? .supervisor(agent.id) : .agent(agent.id))
        }
        self.entries = entries
    }

    private static func digest(_ token: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: token)) }

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
        guard let entry = entries[Self.digest(presented)], constantTimeEquals(entry.token, presented) else {
            throw .unauthorized("the bearer token is not valid")
        }
        return entry.principal
    }
}
