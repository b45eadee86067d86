import Foundation

extension Configuration {
    /// `cluster`: how instances sharing a PostgreSQL database reach the leader and prove they are peers.
    public struct ClusterSettings: Sendable, Codable, Equatable {
        /// The base URL other instances use to reach this one; defaults to `http://<listen.host>:<listen.port>`.
        public var advertiseURL: String?
        /// Shared by every instance: `Authorization: Bearer` of the internal `/internal/cluster` calls.
        public var secret: String?
        public init(advertiseURL: String? = nil, secret: String? = nil) {
            self.advertiseURL = advertiseURL
            self.secret = secret
        }
    }

    /// `cluster.advertiseURL`, else `http://<listen.host>:<listen.port>`, without a trailing slash.
    public var advertiseURL: String {
        Self.trimmedPublicURL(cluster.advertiseURL ?? "http://\(listen.host):\(listen.port)")
    }

    public struct RouterSettings: Sendable, Codable, Equatable {
        public enum Mode: String, Sendable, Codable, Equatable {
            case embedded
            case remote
        }
        public var mode: Mode
        /// Where the events for the core go (remote mode).
        public var url: String?
        /// Signs the events (Standard Webhooks, `whsec_…`).
        public var secret: String?
        /// The core's bearer token on `/v1`.
        public var token: String?
        public init(mode: Mode = .embedded, url: String? = nil, secret: String? = nil, token: String? = nil) {
            self.mode = mode
            self.url = url
            self.secret = secret
            self.token = token
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .embedded
            url = try c.decodeIfPresent(String.self, forKey: .url)
            secret = try c.decodeIfPresent(String.self, forKey: .secret)
            token = try c.decodeIfPresent(String.self, forKey: .token)
        }
    }
}
