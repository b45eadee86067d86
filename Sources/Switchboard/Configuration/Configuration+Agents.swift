import Foundation

extension Configuration {
    public enum Role: String, Sendable, Codable, Equatable {
        case agent
        case supervisor
    }

    public struct Agent: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var token: String?
        public var role: Role
        public var capacity: Int
        public var queues: [String]
        public var voiceEndpoint: String?

        public init(
            id: String, name: String? = nil, token: String? = nil, role: Role = .agent, capacity: Int = 100,
            queues: [String] = ["default"], voiceEndpoint: String? = nil
        ) {
            self.id = id
            self.name = name ?? id
            self.token = token
            self.role = role
            self.capacity = capacity
            self.queues = queues
            self.voiceEndpoint = voiceEndpoint
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                id: try c.decode(String.self, forKey: .id),
                name: try c.decodeIfPresent(String.self, forKey: .name),
                token: try c.decodeIfPresent(String.self, forKey: .token),
                role: try c.decodeIfPresent(Role.self, forKey: .role) ?? .agent,
                capacity: try c.decodeIfPresent(Int.self, forKey: .capacity) ?? 100,
                queues: try c.decodeIfPresent([String].self, forKey: .queues) ?? ["default"],
                voiceEndpoint: try c.decodeIfPresent(String.self, forKey: .voiceEndpoint)
            )
        }
    }
}
