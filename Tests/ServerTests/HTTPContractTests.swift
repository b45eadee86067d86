import Curl
import Foundation
import GatewayAssembly
import Logging
import Server
import Switchboard
import Testing

/// Places where the gateway once differed from the contract, tried from outside over loopback HTTP.
@Suite("HTTP contract", .timeLimit(.minutes(2)))
struct HTTPContractTests {
    static func configuration() -> Configuration {
        var configuration = SMSPathEndToEndTests.configuration(
            twilioAPI: "http://127.0.0.1:9", acsAPI: "http://127.0.0.1:9")
        configuration.limits = .init(maxBodyBytes: 2048, maxHeaderBytes: 4096, maxHeaderCount: 20, maxFormParams: 10)
        configuration.notifications.disconnectGraceSeconds = 0
        return configuration
    }

    @Test func apiRequestsOverTheHeaderLimitsAre431() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let many = (0..<30).map { (name: "X-Extra-\($0)", value: "1") }
            let tooMany = try await gateway.request("GET", "/v1/agents", token: "admin-token", headers: many)
            #expect(tooMany.status == 431)
            #expect(tooMany.json?["error"] == .string("headers-too-large"))
            #expect(tooMany.json?["field"] == .string("maxHeaderCount"))

            let large = [(name: "X-Large", value: String(repeating: "x", count: 5000))]
            let tooLarge = try await gateway.request("GET", "/v1/agents", token: "admin-token", headers: large)
            #expect(tooLarge.status == 431)
            #expect(tooLarge.json?["field"] == .string("maxHeaderBytes"))
        }
    }

    /// Past the HTTP parser's own ceiling the answer is still `431` with the §9 body, not a bare `400`.
    @Test func headersPastTheParsersCeilingAre431() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            let huge = (0..<4).map { (name: "X-Huge-\($0)", value: String(repeating: "y", count: 30_000)) }
            let response = try await gateway.request("GET", "/v1/agents", token: "admin-token", headers: huge)
            #expect(response.status == 431)
            #expect(response.json?["error"] == .string("headers-too-large"))
            #expect(response.header("Content-Type") == "application/json")
        }
    }

    /// Query strings are forms: `+` is a space, `%2B` a plus; a leading `+` of a phone number sent unencoded is
    /// still read as one.
    @Test func aPlusInAQueryIsASpace() async throws {
        try await GatewayHarness.with(Self.configuration()) { gateway in
            _ = try await gateway.api(
                "POST", "/v1/contacts", token: "admin-token",
                json: #"{"name": "Ada", "mobilePhone": "07400 123456", "region": "GB"}"#, expect: 201)
            for query in ["phone=07400+123456&region=GB", "phone=%2B447400123456", "phone=+447400123456"] {
                let found = try await gateway.api("GET", "/v1/contacts?\(query)", token: "admin-token")
                #expect(found["contacts"]?.arrayValue?.count == 1, "\(query)")
            }
            let malformed = try await gateway.request("GET", "/v1/contacts?phone=%ZZ", token: "admin-token")
            #expect(malformed.status == 400)
            #expect(malformed.json?["error"] == .string("invalid-request"))
        }
    }

    /// An agent who closes its stream is signed out at once (here with no disconnect grace), not at the next
    /// heartbeat 15 s later.
    @Test func closingTheEventStreamIsNoticedAtOnce() async throws {
        try await GatewayHarness.with(Self.configuration(), heartbeat: .seconds(15)) { gateway in
            let stream = try await gateway.events(agent: "alice", token: "alice-token")
            _ = try await stream.next("presence")
            #expect(try await gateway.api("GET", "/v1/agents/alice", token: "admin-token")["signedIn"] == .bool(true))
            await stream.close()
            let deadline = ContinuousClock.now + .seconds(12)
            var signedIn: JSONValue? = .bool(true)
            while ContinuousClock.now < deadline {
                signedIn = try await gateway.api("GET", "/v1/agents/alice", token: "admin-token")["signedIn"]
                if signedIn == .bool(false) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(signedIn == .bool(false), "the closed stream was not noticed within 12 s (the heartbeat is 15 s)")
        }
    }

    /// After SIGTERM (here the stopper) `/readyz` answers `503` while the gateway still serves for
    /// `listen.drainSeconds`; `/healthz` stays `200`.
    @Test func readyzIs503WhileDraining() async throws {
        var configuration = Self.configuration()
        configuration.listen = .init(host: "127.0.0.1", port: 0, drainSeconds: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        configuration.database = "sqlite:\(directory.appendingPathComponent("gateway.sqlite").path)"
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let stopper = ServerStopper()
        let options = SwitchboardServer.Options(
            onListening: { portContinuation.yield($0) }, shutdownSignals: [], stopper: stopper)
        let server = Task { [configuration] in
            defer { portContinuation.finish() }
            try await SwitchboardServer.run(
                configuration: configuration, logger: Logger(label: "drain-test"), options: options)
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await CurlClient.withCurlClient { client in
            let get = { (path: String) in
                try await client.execute(CurlRequest(method: "GET", url: "http://127.0.0.1:\(port)\(path)"))
            }
            #expect(try await get("/readyz").status == 200)
            await stopper.stop()
            // The shutdown reaches the drain step a moment after the stopper (or SIGTERM) triggered it.
            var draining = try await get("/readyz")
            let deadline = ContinuousClock.now + .seconds(2)
            while draining.status == 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
                draining = try await get("/readyz")
            }
            #expect(draining.status == 503)
            #expect(draining.text.contains("draining"))
            // Still serving: the drain lasts listen.drainSeconds (3 s).
            #expect(try await get("/healthz").status == 200)
        }
        try await server.value
    }
}
