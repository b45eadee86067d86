import Foundation
import Switchboard

/// Signs a recorded Vonage webhook like Vonage would: adds `timestamp` (now), `nonce` (a random UUID) and
/// `sig` with the channel's method.
///
/// The new parameters go into the query (a ``FixtureSigner`` cannot rewrite a body); for a POST the signature
/// covers the query and the body's parameters, which is what ``VonageWebhookAdapter`` verifies.
public struct VonageFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel

    public init(channel: Configuration.Channel) {
        self.channel = channel
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        sign(method: method, kind: kind, query: query, headers: headers, body: body, now: now, nonce: UUID().uuidString)
    }

    /// ``sign(method:kind:query:headers:body:now:)`` with a given nonce (tests reuse one on purpose).
    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8],
        now: Date, nonce: String
    ) -> (query: String, headers: [(name: String, value: String)]) {
        let unsigned = ["timestamp", "nonce", "sig"]
        let queryPairs =
            ((try? FormParameters.decode(Array(query.utf8), maxParameters: .max, what: channel.id))
            ?? FormParameters()).pairs.filter { !unsigned.contains($0.name) }
        let added = [
            FormParameters.Pair(name: "timestamp", value: String(Int(now.timeIntervalSince1970))),
            FormParameters.Pair(name: "nonce", value: nonce),
        ]
        let newQuery = FormParameters(queryPairs + added).encoded()
        let request = WebhookRequest(method: method, kind: kind, query: newQuery, headers: headers, body: body)
        // A body that does not decode is signed over the query alone; the gateway refuses it before the
        // signature check anyway.
        let parameters =
            (try? VonageWebhookAdapter.parameters(of: request, limits: .init(), what: channel.id))?.pairs
            ?? (queryPairs + added).map { (name: $0.name, value: $0.value) }
        let sig = VonageSignature.compute(
            parameters, secret: channel.credential("signatureSecret") ?? "",
            method: VonageProvider.signatureMethod(of: channel) ?? .md5hash)
        return (newQuery + "&sig=" + sig, headers)
    }
}
