import Foundation

/// Customers who opted out of messages on a channel (STOP keywords, providers' opt-out signals).
public protocol OptOutStore: Sendable {
    func isOptedOut(channelID: String, customer: String) async throws -> Bool
    func setOptedOut(channelID: String, customer: String, optedOut: Bool, at: Date) async throws
}
