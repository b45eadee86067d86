import Foundation
import Switchboard

/// Adds `code=<eventGridSecret>` to the query, as the Event Grid subscription's endpoint URL does.
public struct AzureFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel

    public init(channel: Configuration.Channel) {
        self.channel = channel
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        let secret = FormParameters.encodeComponent(channel.credential("eventGridSecret") ?? "")
        // Any recorded `code` is replaced; other parameters keep their raw form.
        var parts = query.split(separator: "&").map(String.init).filter {
            $0 != AzureEventGridAdapter.secretParameter
                && !$0.hasPrefix(AzureEventGridAdapter.secretParameter + "=")
        }
        parts.append("\(AzureEventGridAdapter.secretParameter)=\(secret)")
        return (parts.joined(separator: "&"), headers)
    }
}
