import Foundation
import Switchboard

/// Signs recorded Bandwidth callbacks the way the messaging application does: `Authorization: Basic` with the
/// channel's `callbackUsername` and `callbackPassword` (replacing any recorded value).
public struct BandwidthFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel

    public init(channel: Configuration.Channel) {
        self.channel = channel
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        let value = BandwidthBasicAuth.headerValue(
            username: channel.credential("callbackUsername") ?? "",
            password: channel.credential("callbackPassword") ?? "")
        return (query, replacingHeader(headers, name: BandwidthBasicAuth.header, value: value))
    }
}
