import Foundation

/// Signs a recorded webhook request the way its provider would, with the channel's secrets from the
/// config: used by `switchboard replay` (fixtures with `"sign": true`) and by tests.
public protocol FixtureSigner: Sendable {
    /// Returns the query and headers to send: the recorded ones plus the provider's signature, secret
    /// parameter, timestamps or nonces (replacing any recorded value of the same name).
    func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)])
}

/// A signer for providers that need no signature (or are not supported yet): sends the request as recorded.
public struct UnsignedFixtureSigner: FixtureSigner {
    public init() {}
    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        (query, headers)
    }
}

/// `headers` with every header named `name` (any case) replaced by one `name: value`.
func replacingHeader(
    _ headers: [(name: String, value: String)], name: String, value: String
) -> [(name: String, value: String)] {
    headers.filter { $0.name.lowercased() != name.lowercased() } + [(name: name, value: value)]
}
