import Foundation
import Switchboard

/// Signs recorded Telnyx webhooks: sets `telnyx-timestamp` to now and `telnyx-signature-ed25519` over
/// `timestamp|body`.
///
/// Only Telnyx holds the real private key, so this needs the optional credential `signingPrivateKey` (Base64 of
/// the 32-byte Ed25519 seed whose public half is `publicKey`). It exists for demo and test configurations only;
/// a production channel never has it. Without it the request is sent as recorded.
public struct TelnyxFixtureSigner: FixtureSigner {
    public let channel: Configuration.Channel

    /// The credential key of the test-only private key.
    public static let privateKeyCredential = "signingPrivateKey"

    public init(channel: Configuration.Channel) {
        self.channel = channel
    }

    public func sign(
        method: String, kind: String, query: String, headers: [(name: String, value: String)], body: [UInt8], now: Date
    ) -> (query: String, headers: [(name: String, value: String)]) {
        let timestamp = String(Int(now.timeIntervalSince1970))
        guard let key = channel.credential(Self.privateKeyCredential),
            let signature = TelnyxSignature.sign(timestamp: timestamp, body: body, privateKey: key)
        else { return (query, headers) }
        let stamped = replacingHeader(headers, name: TelnyxSignature.timestampHeader, value: timestamp)
        return (query, replacingHeader(stamped, name: TelnyxSignature.signatureHeader, value: signature))
    }
}
