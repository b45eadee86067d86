import Crypto
import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// `router.mode = remote` (CONTRACT.md §2): notification requests are POSTed to the external core, signed per
/// Standard Webhooks, and retried from the durable outbox until the core answers 2xx.
@Suite("Remote core mode", .timeLimit(.minutes(2)))
struct RemoteCoreTests {
    static let secretBytes = Data("remote-core-test-secret-32-bytes".utf8)
    static var secret: String { "whsec_" + secretBytes.base64EncodedString() }

    @Test func notificationRequestsReachTheCoreSignedAndRetried() async throws {
        let attempts = AttemptCounter()
        try await TestHTTPServer.withTestHTTPServer(handler: { _ in
            // The core is down for the first attempt.
            attempts.next() == 1 ? TestHTTPResponse(status: 503) : TestHTTPResponse(status: 202)
        }) { core in
            var configuration = SMSPathEndToEndTests.configuration(
                twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
            configuration.router = .init(mode: .remote, url: core.url("/notifications"), secret: Self.secret)
            try await GatewayHarness.with(configuration) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let parameters = [
                    ("MessageSid", "SM-remote-1"), ("From", "+14155550100"), ("To", "+14155550199"), ("Body", "Hi"),
                ]
                let signature = ProviderRequests.twilioSignature(
                    url: "\(SMSPathEndToEndTests.publicURL)/webhooks/twilio-main/inbound", parameters: parameters,
                    authToken: SMSPathEndToEndTests.twilioToken)
                let inbound = try await gateway.request(
                    "POST", "/webhooks/twilio-main/inbound",
                    headers: [
                        (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                        (name: "X-Twilio-Signature", value: signature),
                    ], body: Array(ProviderRequests.form(parameters).utf8))
                #expect(inbound.status == 200)

                // The first attempt fails (503); the retry (backoff ~1 s) succeeds with the same webhook-id.
                let requests = try await core.waitForRequests(count: 2)
                #expect(requests.count == 2)
                let first = requests[0]
                #expect(first.path == "/notifications")
                #expect(first.header("webhook-id") == requests[1].header("webhook-id"))
                #expect(first.bodyText == requests[1].bodyText)
                for request in requests {
                    let id = try #require(request.header("webhook-id"))
                    let timestamp = try #require(request.header("webhook-timestamp"))
                    let mac = HMAC<SHA256>.authenticationCode(
                        for: Data("\(id).\(timestamp).".utf8) + Data(request.body),
                        using: SymmetricKey(data: Self.secretBytes))
                    #expect(request.header("webhook-signature") == "v1," + Data(mac).base64EncodedString())
                }
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(first.body))
                #expect(body["type"] == .string("notification.request"))
                #expect(body["scenario"] == .string("incoming-sms"))
                #expect(body["customer"]?["phone"] == .string("+14155550100"))
                #expect(body["channelId"] == .string("twilio-main"))
                // The embedded router notified nobody: the core owns the agents.
                let quiet = try await alice.drain(quiet: .milliseconds(300))
                #expect(!quiet.contains { $0.event == "notification" })
                try await Task.sleep(for: .milliseconds(300))
                #expect(core.requests.count == 2)
                await alice.close()
            }
        }
    }
}

/// Counts requests across the fake core's handler tasks.
final class AttemptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.withLock {
            count += 1; return count
        }
    }
}
