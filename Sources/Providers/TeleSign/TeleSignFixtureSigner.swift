import Foundation
import Switchboard

/// Signs recorded TeleSign callbacks: `Authorization: TSA <customerID>:<HMAC of the body>`.
public struct TeleSignFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel

    public init(channel: Configuration.Channel) {
        self.channel = channel
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        guard
            let authorization = TeleSignSignature.authorization(
                customerID: channel.credential("customerID") ?? "", body: body,
                apiKey: channel.credential("apiKey") ?? "")
        else { return (query, headers) }
        return (query, replacingHeader(headers, name: TeleSignSignature.headerName, value: authorization))
    }
}
