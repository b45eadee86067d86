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

/// Maps tokens to principals. Only each configured token's SHA-256 digest is kept, and a presented token is looked
/// up by its digest: equal digests stand for equal tokens (SHA-256 is collision resistant), and the lookup's timing
/// depends on a digest the caller cannot steer toward a configured token. A request costs the same with 10 agents
/// as with 10,000 (comparing it with every configured token, as at first, was about 0.9 ms of CPU a request at
/// 10,000 agents: 13.4 s to open 10,000 streams, 4.5 s now), and no token is held in memory in the clear (with
/// 10,000 agents the table is 0.9 MB, where keeping each token and its digest as arrays took 1.9 MB).
struct TokenAuthenticator: Sendable {
    private let principals: [TokenDigest: Principal]

    init(configuration: Configuration) {
        var principals: [TokenDigest: Principal] = [:]
        func add(_ token: String, _ principal: Principal) {
            // A token configured twice names its last holder, as the comparison with every token did.
            principals[TokenDigest(token)] = principal
        }
        if let admin = configuration.adminToken, !admin.isEmpty { add(admin, .admin) }
        if configuration.router.mode == .remote, let core = configuration.router.token, !core.isEmpty {
            add(core, .core)
        }
        for agent in configuration.agents {
            guard let token = agent.token, !token.isEmpty else { continue }
            add(token, agent.role == .supervisor ? .supervisor(agent.id) : .agent(agent.id))
        }
        self.principals = principals
    }

    /// The caller of this request: `Authorization: Bearer …`, or `?access_token=` (browsers' EventSource).
    func principal(of request: Request) throws(SwitchboardError) -> Principal {
        let token: String
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer ") else {
                throw .unauthorized("the Authorization header must be 'Bearer <token>'")
            }
            token = String(header.dropFirst("bearer ".count)).trimmingWhitespaces()
        } else if let query = try? request.formQuery(.init()).first("access_token") {
            token = query
        } else {
            throw .unauthorized("this route needs 'Authorization: Bearer <token>'")
        }
        guard let principal = principals[TokenDigest(token)] else {
            throw .unauthorized("the bearer token is not valid")
        }
        return principal
    }
}

/// A token's SHA-256 digest as four words: hashable and `Sendable` without an allocation of its own.
private struct TokenDigest: Hashable, Sendable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ token: String) {
        words = SHA256.hash(data: Array(token.utf8)).withUnsafeBytes { bytes in
            (
                bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }

    static func == (left: TokenDigest, right: TokenDigest) -> Bool { left.words == right.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
