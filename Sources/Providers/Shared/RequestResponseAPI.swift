import Curl
import Foundation
import Switchboard

/// A send API made of two pure parts, each tested directly: building the provider's request, and reading what
/// its answer (or the failure to get one) means for the outbox. ``send(_:)`` only joins them with the client.
protocol RequestResponseAPI: ProviderAPI {
    var channel: Configuration.Channel { get }
    var client: CurlClient { get }
    static func request(for message: OutboundMessage, channel: Configuration.Channel) -> CurlRequest
    static func classify(_ result: Result<CurlResponse, CurlError>, channelID: String) -> SendOutcome
    /// The request ``send(_:)`` makes: ``request(for:channel:)`` unless the API keeps what its channel's requests
    /// share.
    func request(for message: OutboundMessage) -> CurlRequest
}

extension RequestResponseAPI {
    public func request(for message: OutboundMessage) -> CurlRequest {
        Self.request(for: message, channel: channel)
    }

    public func send(_ message: OutboundMessage) async -> SendOutcome {
        let request = request(for: message)
        do {
            return Self.classify(.success(try await client.execute(request)), channelID: channel.id)
        } catch {
            return Self.classify(.failure(error), channelID: channel.id)
        }
    }
}
