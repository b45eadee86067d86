import Foundation

extension Configuration {
    /// `limits` (CONTRACT.md §9).
    public struct Limits: Sendable, Codable, Equatable {
        public var maxBodyBytes: Int
        public var maxHeaderBytes: Int
        public var maxHeaderCount: Int
        public var maxFormParams: Int
        public var maxJSONDepth: Int
        public init(
            maxBodyBytes: Int = 1_048_576, maxHeaderBytes: Int = 65536, maxHeaderCount: Int = 100,
            maxFormParams: Int = 1000, maxJSONDepth: Int = 64
        ) {
            self.maxBodyBytes = maxBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxFormParams = maxFormParams
            self.maxJSONDepth = maxJSONDepth
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Limits()
            maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
            maxHeaderBytes = try c.decodeIfPresent(Int.self, forKey: .maxHeaderBytes) ?? d.maxHeaderBytes
            maxHeaderCount = try c.decodeIfPresent(Int.self, forKey: .maxHeaderCount) ?? d.maxHeaderCount
            maxFormParams = try c.decodeIfPresent(Int.self, forKey: .maxFormParams) ?? d.maxFormParams
            maxJSONDepth = try c.decodeIfPresent(Int.self, forKey: .maxJSONDepth) ?? d.maxJSONDepth
        }
    }

    public struct OutboxSettings: Sendable, Codable, Equatable {
        public var maxAttempts: Int
        public var maxAgeSeconds: Double
        public init(maxAttempts: Int = 10, maxAgeSeconds: Double = 86400) {
            self.maxAttempts = maxAttempts
            self.maxAgeSeconds = maxAgeSeconds
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 10
            maxAgeSeconds = try c.decodeIfPresent(Double.self, forKey: .maxAgeSeconds) ?? 86400
        }
    }
}
