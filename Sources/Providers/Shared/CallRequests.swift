import Curl
import Switchboard

/// Sends one call-control request and turns what went wrong into an error a person can act on.
enum CallRequests {
    /// Executes `request`; throws unless the provider answered 2xx.
    @discardableResult
    static func execute(
        _ request: CurlRequest, client: CurlClient, channelID: String, action: String
    ) async throws -> CurlResponse {
        let response: CurlResponse
        do {
            response = try await client.execute(request)
        } catch {
            throw SwitchboardError.unavailable("\(channelID): \(action) failed: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw SwitchboardError(
                status: 502, code: "provider-error", message: "\(channelID): \(action) failed: HTTP \(response.status)")
        }
        return response
    }
}
