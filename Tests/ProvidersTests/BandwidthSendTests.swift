import Curl
import Foundation
import Switchboard
import Synchronization
import TestHTTPServer
import Testing

@testable import Providers

/// The send API against a local fake of both Bandwidth endpoints (OAuth2 token + messages) over real HTTP.
@Suite("Bandwidth send API over HTTP", .timeLimit(.minutes(1)))
struct BandwidthSendTests {
    /// A fake Bandwidth: hands out `token-1`, `token-2`, … and accepts sends carrying the newest token; tokens
    /// listed in `revoked` are answered 401.
    final class FakeBandwidth: Sendable {
        let issued = Mutex(0)
        let revoked = Mutex<Set<String>>([])
        let tokenStatus = Mutex(200)

        func respond(_ request: RecordedRequest) -> TestHTTPResponse {
            switch request.path {
            case "/api/v1/oauth2/token":
                let status = tokenStatus.withLock { $0 }
                guard status == 200 else { return .json(#"{"error":"invalid_client"}"#, status: status) }
                let number = issued.withLock {
                    $0 += 1
                    return $0
                }
                return .json(#"{"access_token":"token-\#(number)","token_type":"Bearer","expires_in":3600}"#)
            case "/users/9900000/messages":
                let token = request.header("Authorization")?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
                if token.isEmpty || revoked.withLock({ $0.contains(token) }) {
                    return .json(#"{"type":"unauthorized","description":"Authentication Failed"}"#, status: 401)
                }
                return .json(
                    #"{"id":"bw-\#(token)-\#(UUID().uuidString.prefix(8))","owner":"+19195550199"}"#, status: 202)
            default:
                return .json(#"{"type":"not-found","description":"no such path"}"#, status: 404)
            }
        }
    }

    final class TestClock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    }

    let message = OutboundMessage(
        messageID: "msg-1", channelID: "bandwidth-main", from: nil, to: "+19195550100", text: "On our way",
        idempotencyKey: "key-1", firstQueuedAt: testNow, statusCallbackURL: nil)

    func withFake(
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: (FakeBandwidth, TestHTTPServer, BandwidthMessagesAPI) async throws -> Void
    ) async throws {
        let fake = FakeBandwidth()
        try await TestHTTPServer.withTestHTTPServer(handler: { fake.respond($0) }) { server in
            try await CurlClient.withCurlClient { client in
                var channel = bandwidthChannel
                channel.apiBaseURL = server.baseURL
                try await body(fake, server, BandwidthMessagesAPI(channel: channel, client: client, now: now))
            }
        }
    }

    func paths(_ server: TestHTTPServer) -> [String] { server.requests.map(\.path) }

    @Test("one token for several sends; the exact requests on the wire")
    func tokenFetchedOnce() async throws {
        try await withFake { _, server, api in
            for _ in 0..<3 {
                guard case .accepted(let id) = await api.send(message) else {
                    Issue.record("not accepted")
                    return
                }
                #expect(id.hasPrefix("bw-token-1-"))
            }
            #expect(
                paths(server) == [
                    "/api/v1/oauth2/token", "/users/9900000/messages", "/users/9900000/messages",
                    "/users/9900000/messages",
                ])
            let token = server.requests[0]
            #expect(token.method == "POST")
            #expect(token.header("Authorization") == "Basic Y2xpZW50LWFiYzpjbGllbnQtczNjcmV0")
            #expect(token.header("Content-Type") == "application/x-www-form-urlencoded")
            #expect(token.bodyText == "grant_type=client_credentials")
            let send = server.requests[1]
            #expect(send.method == "POST")
            #expect(send.header("Authorization") == "Bearer token-1")
            #expect(send.header("Content-Type") == "application/json")
            #expect(
                send.bodyText
                    == #"{"applicationId":"app-123","from":"+19195550199","text":"On our way","to":["+19195550100"]}"#)
        }
    }

    @Test("a 401 discards the token, fetches a new one and sends once more")
    func refetchAfter401() async throws {
        try await withFake { fake, server, api in
            guard case .accepted = await api.send(message) else {
                Issue.record("not accepted")
                return
            }
            _ = fake.revoked.withLock { $0.insert("token-1") }
            guard case .accepted(let id) = await api.send(message) else {
                Issue.record("not accepted after a new token")
                return
            }
            #expect(id.hasPrefix("bw-token-2-"))
            #expect(
                paths(server) == [
                    "/api/v1/oauth2/token", "/users/9900000/messages", "/users/9900000/messages",
                    "/api/v1/oauth2/token", "/users/9900000/messages",
                ])
            // The new token is kept for the next send.
            _ = await api.send(message)
            #expect(server.requests.last?.header("Authorization") == "Bearer token-2")
            #expect(fake.issued.withLock { $0 } == 2)
        }
    }

    @Test("a fresh token refused too is permanent: one retry only")
    func secondRefusalIsPermanent() async throws {
        try await withFake { fake, server, api in
            fake.revoked.withLock { $0 = ["token-1", "token-2"] }
            guard case .permanent(let detail, false) = await api.send(message) else {
                Issue.record("two refusals must be permanent")
                return
            }
            #expect(detail.code == "unauthorized")
            #expect(fake.issued.withLock { $0 } == 2)
            #expect(server.requests.count == 4)
            // The refused token is not reused: the next send fetches a new one.
            guard case .accepted(let id) = await api.send(message) else {
                Issue.record("not accepted with a new token")
                return
            }
            #expect(id.hasPrefix("bw-token-3-"))
            #expect(fake.issued.withLock { $0 } == 3)
        }
    }

    @Test("an expired token is replaced before the send")
    func expiry() async throws {
        let clock = TestClock()
        try await withFake(now: { clock.now.withLock { $0 } }) { fake, server, api in
            _ = await api.send(message)
            clock.now.withLock { $0 += 3500 }
            _ = await api.send(message)
            #expect(fake.issued.withLock { $0 } == 1)
            // expires_in 3600, refreshed 60 s early
            clock.now.withLock { $0 += 40 }
            _ = await api.send(message)
            #expect(fake.issued.withLock { $0 } == 2)
            #expect(server.requests.last?.header("Authorization") == "Bearer token-2")
        }
    }

    @Test("token endpoint failures: refused credentials are permanent, outages retried, nothing sent")
    func tokenFailures() async throws {
        try await withFake { fake, server, api in
            fake.tokenStatus.withLock { $0 = 401 }
            guard case .permanent(let detail, false) = await api.send(message) else {
                Issue.record("refused client credentials are permanent")
                return
            }
            #expect(detail.code == "oauth2-http-401")
            fake.tokenStatus.withLock { $0 = 503 }
            guard case .retryLater = await api.send(message) else {
                Issue.record("a token endpoint outage is retried")
                return
            }
            #expect(paths(server) == ["/api/v1/oauth2/token", "/api/v1/oauth2/token"])
        }
    }

    @Test("concurrent sends share one token fetch")
    func concurrentSends() async throws {
        try await withFake { fake, server, api in
            await withTaskGroup(of: SendOutcome.self) { group in
                for _ in 0..<8 { group.addTask { await api.send(message) } }
                for await outcome in group {
                    guard case .accepted = outcome else {
                        Issue.record("not accepted: \(outcome)")
                        continue
                    }
                }
            }
            #expect(fake.issued.withLock { $0 } == 1)
            #expect(server.requests.count == 9)
        }
    }
}
