import Foundation
import Providers
import Switchboard

/// One fuzz input → one webhook request for one provider adapter, signed or not.
///
/// Byte 0 picks the channel and kind, byte 1 whether the request is signed (so the decoders behind the signature
/// check are reached) and which content type it carries; the rest is the body. An adapter may accept or refuse
/// the request; a refusal other than 4xx, a crash or a hang is a finding.
enum FuzzTarget {
    static let publicURL = "https://gateway.example.com"
    static let context = WebhookContext(publicURL: publicURL)
    static let now = Date(timeIntervalSince1970: 1_795_591_260)

    /// Test channels, one per provider in the registry; the credentials are test values only.
    static let routes: [(channel: Configuration.Channel, kind: String)] = {
        let twilio = Configuration.Channel(
            id: "twilio-main", provider: .twilio, numbers: ["+14155550199"], region: "US",
            credentials: ["accountSID": "AC0123456789abcdef0123456789abcdef", "authToken": "fuzz-twilio-token"])
        let acs = Configuration.Channel(
            id: "acs-main", provider: .acs, numbers: ["+18005550100"], region: "US",
            credentials: [
                "endpoint": "https://fuzz.communication.azure.com",
                "accessKey": Data("fuzz-acs-access-key".utf8).base64EncodedString(), "eventGridSecret": "fuzz-grid",
            ])
        let telnyx = Configuration.Channel(
            id: "telnyx-main", provider: .telnyx, numbers: ["+13125550199"], region: "US",
            credentials: [
                "apiKey": "KEY-fuzz", "publicKey": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                "signingPrivateKey": "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=",
            ])
        let plivo = Configuration.Channel(
            id: "plivo-main", provider: .plivo, numbers: ["+16175550199"], region: "US",
            credentials: ["authID": "MAFUZZFUZZFUZZFUZZFU", "authToken": "fuzz-plivo-token"])
        let teleSign = Configuration.Channel(
            id: "telesign-main", provider: .telesign, numbers: ["+12065550199"], region: "US",
            credentials: [
                "customerID": "FUZZ-CUSTOMER", "apiKey": Data("fuzz-telesign-key".utf8).base64EncodedString(),
            ])
        let bandwidth = Configuration.Channel(
            id: "bandwidth-main", provider: .bandwidth, numbers: ["+19195550199"], region: "US",
            credentials: [
                "accountID": "9900000", "applicationID": "fuzz-application", "clientID": "fuzz-client",
                "clientSecret": "fuzz-client-secret", "callbackUsername": "fuzz-callbacks",
                "callbackPassword": "fuzz-callback-password",
            ])
        return [
            (twilio, "inbound"), (twilio, "status"), (acs, "events"), (acs, "call-events"), (telnyx, "events"),
            (plivo, "inbound"),
            (plivo, "status"), (teleSign, "inbound"), (teleSign, "status"), (bandwidth, "events"),
        ]
    }()
    static let adapters = routes.map { ProviderRegistry.adapter(for: $0.channel, context: context) }
    static let signers = routes.map { ProviderRegistry.signer(for: $0.channel, context: context) }
    static let contentTypes = [
        "application/x-www-form-urlencoded", "application/json", "application/json; charset=utf-8", "text/plain",
    ]

    static func run(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let route = Int(input[0]) % routes.count
        let body = Array(input.dropFirst(2))
        var headers = [(name: "Content-Type", value: contentTypes[Int(input[1] >> 1) % contentTypes.count])]
        var query = ""
        if input[1] & 1 == 1 {
            (query, headers) = signers[route].sign(
                method: "POST", kind: routes[route].kind, query: query, headers: headers, body: body, now: now)
        }
        let request = WebhookRequest(
            method: "POST", kind: routes[route].kind, query: query, headers: headers, body: body)
        do {
            _ = try adapters[route].handle(request, now: now)
        } catch {
            guard (400..<500).contains(error.status) else {
                fatalError(
                    "\(routes[route].channel.id) \(routes[route].kind) refused with \(error.status): \(error.message)")
            }
        }
    }
}

/// libFuzzer's entry point (`-sanitize=fuzzer`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
