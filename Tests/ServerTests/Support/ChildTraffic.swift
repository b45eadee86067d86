import Curl
import Foundation
import Switchboard
import TestHTTPServer

/// What a Twilio-like provider and a supervisor send to a ``ChildGateway``, and what the gateway acknowledged.
///
/// Webhooks are redelivered until answered 2xx, as providers do; replies are posted once (a reply whose answer was
/// lost is "unanswered": it may or may not have been queued, so it proves nothing either way).
struct ChildTraffic: Sendable {
    static let publicURL = "https://gw.example.com"
    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let authToken = "crash-test-twilio-auth-token"
    static let adminToken = "crash-test-admin-token"
    static let agentToken = "crash-test-alice-token"
    static let gatewayNumber = "+14155550199"
    static let customers = (0..<6).map { "+1415555010\($0)" }

    let client: CurlClient
    let baseURL: String

    /// The configuration file's text: SQLite at `database`, one Twilio channel whose API is `twilioAPI`, one agent.
    static func configuration(port: Int, database: String, twilioAPI: String) -> String {
        """
        {"listen": {"host": "127.0.0.1", "port": \(port)}, "publicURL": "\(publicURL)",
         "database": "sqlite:\(database)", "adminToken": "\(adminToken)",
         "channels": [{"id": "twilio-main", "provider": "twilio", "numbers": ["\(gatewayNumber)"], "region": "US",
           "credentials": {"accountSID": "\(accountSID)", "authToken": "\(authToken)"}, "apiBaseURL": "\(twilioAPI)"}],
         "agents": [{"id": "alice", "name": "Alice", "token": "\(agentToken)", "queues": ["default"]}]}
        """
    }

    /// A fake Twilio Messages API answering 201 after `delay`, so a kill can land while a send is in flight;
    /// `arrivals` records when each `Body` arrived.
    static func fakeTwilio(delay: Duration, arrivals: ArrivalLog = ArrivalLog()) -> TestHTTPServer.Handler {
        { request in
            if let form = FormFields.parse(request.bodyText), let body = form.first(where: { $0.0 == "Body" }) {
                arrivals.record(body.1)
            }
            return .json(
                #"{"sid": "SM\#(UUID().uuidString.replacingOccurrences(of: "-", with: ""))", "status": "queued"}"#,
                status: 201, delay: delay)
        }
    }

    /// Waits (polling, at most `within`) until every one of `replies` reached the fake API; the bodies it
    /// received by text with how often each arrived.
    static func waitForSends(
        of replies: [String], to twilio: TestHTTPServer, within: Duration
    ) async throws
        -> [String: Int]
    {
        let started = ContinuousClock.now
        var sent = sentBodies(twilio)
        while replies.contains(where: { sent[$0] == nil }) && ContinuousClock.now - started < within {
            try await Task.sleep(for: .milliseconds(100))
            sent = sentBodies(twilio)
        }
        return sent
    }

    /// The `Body` of every request the fake API received, by text, with how often each arrived.
    static func sentBodies(_ twilio: TestHTTPServer) -> [String: Int] {
        var counts: [String: Int] = [:]
        for request in twilio.requests {
            guard let form = FormFields.parse(request.bodyText), let body = form.first(where: { $0.0 == "Body" })
            else { continue }
            counts[body.1, default: 0] += 1
        }
        return counts
    }

    /// One signed inbound-SMS webhook; the status, or nil when no answer came (the gateway was down or died).
    func postInbound(sid: String, from: String, text: String) async -> Int? {
        let parameters = [
            ("MessageSid", sid), ("From", from), ("To", Self.gatewayNumber), ("Body", text), ("NumMedia", "0"),
        ]
        let signature = ProviderRequests.twilioSignature(
            url: "\(Self.publicURL)/webhooks/twilio-main/inbound", parameters: parameters, authToken: Self.authToken)
        let request = CurlRequest(
            method: "POST", url: baseURL + "/webhooks/twilio-main/inbound",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Twilio-Signature", value: signature),
            ],
            body: Array(ProviderRequests.form(parameters).utf8), timeout: 20, connectTimeout: 2)
        return try? await client.execute(request).status
    }

    /// Redelivers until the gateway answers 2xx (bounded); throws on a 4xx, which would be a refusal.
    func deliver(sid: String, from: String, text: String, within timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let status = await postInbound(sid: sid, from: from, text: text)
            if let status, (200..<300).contains(status) { return }
            if let status, (400..<500).contains(status) {
                throw TestFailure("webhook \(sid) was refused with \(status)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("webhook \(sid) was not acknowledged within \(timeout)")
    }

    func request(_ method: String, _ path: String, json: String? = nil) async -> CurlResponse? {
        var headers = [(name: "Authorization", value: "Bearer \(Self.adminToken)")]
        if json != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let request = CurlRequest(
            method: method, url: baseURL + path, headers: headers, body: Array((json ?? "").utf8), timeout: 20,
            connectTimeout: 2)
        return try? await client.execute(request)
    }

    /// The open conversation with `customer`, if the gateway answers and one exists.
    func conversationID(customer: String) async -> String? {
        let phone = customer.replacingOccurrences(of: "+", with: "%2B")
        guard let response = await request("GET", "/v1/conversations?customerPhone=\(phone)&status=open"),
            response.status == 200, case .array(let list)? = response.json?["conversations"]
        else { return nil }
        return list.first?["id"]?.stringValue
    }

    /// Queues a reply as the supervisor; the status, or nil when no answer came.
    func reply(conversationID: String, text: String) async -> Int? {
        await request("POST", "/v1/conversations/\(conversationID)/messages", json: #"{"text": "\#(text)"}"#)?.status
    }

    /// Every stored message of every conversation, read through `/v1` with the admin token.
    func storedMessages() async throws -> [JSONValue] {
        guard let list = await request("GET", "/v1/conversations"), list.status == 200,
            case .array(let conversations)? = list.json?["conversations"]
        else { throw TestFailure("GET /v1/conversations failed") }
        var messages: [JSONValue] = []
        for conversation in conversations {
            let id = conversation["id"]?.stringValue ?? ""
            guard let detail = await request("GET", "/v1/conversations/\(id)"), detail.status == 200,
                case .array(let some)? = detail.json?["messages"]
            else { throw TestFailure("GET /v1/conversations/\(id) failed") }
            messages += some
        }
        return messages
    }

    /// How often each inbound text is stored.
    func storedInboundTexts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for message in try await storedMessages() where message["direction"] == .string("inbound") {
            counts[message["text"]?.stringValue ?? "", default: 0] += 1
        }
        return counts
    }
}

/// When each send arrived at a fake provider API, by body text.
final class ArrivalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var arrivals: [String: [ContinuousClock.Instant]] = [:]
    func record(_ body: String) { lock.withLock { arrivals[body, default: []].append(.now) } }
    var all: [String: [ContinuousClock.Instant]] { lock.withLock { arrivals } }

    /// The bodies that arrived more than once where no kill explains the repeat, each with when its copies came
    /// relative to the nearest kill (for the failure message).
    ///
    /// A repeat is explained by a kill that landed while the earlier copy was in flight: after the gateway sent
    /// it and before the gateway stored the provider's answer. The arrival is recorded when the fake's handler
    /// runs, which on a loaded machine can be after the kill was recorded (the request was already on the wire),
    /// hence the second of slack before; the answer is stored after the 40 ms API delay and a write that waits
    /// for the shared commit, which on a loaded CI machine has taken seconds, hence the ten after.
    func unexplainedRepeats(kills: [ContinuousClock.Instant]) -> [String] {
        var unexplained: [String] = []
        for (body, times) in all where times.count > 1 {
            for (earlier, later) in zip(times, times.dropFirst())
            where !kills.contains(where: { $0 >= earlier - .seconds(1) && $0 <= earlier + .seconds(10) && $0 <= later })
            {
                let distance = { (kill: ContinuousClock.Instant) in max(kill - earlier, earlier - kill) }
                let nearest = kills.min { distance($0) < distance($1) }
                let offsets = nearest.map { kill in
                    "copies \(earlier - kill) and \(later - kill) after the nearest kill"
                }
                unexplained.append("\(body) (\(offsets ?? "no kill"))")
            }
        }
        return unexplained
    }
}

/// Counters shared by concurrent traffic tasks.
final class TrafficLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var webhooks: [String: String] = [:]
    private var replies: [String] = []
    private var unanswered = 0
    private var refusedReplies: [Int] = []
    private var running = true
    private var kills: [ContinuousClock.Instant] = []

    func takeIndex() -> Int {
        lock.withLock {
            defer { nextIndex += 1 }
            return nextIndex
        }
    }
    var isRunning: Bool { lock.withLock { running } }
    func stop() { lock.withLock { running = false } }
    func killed() { lock.withLock { kills.append(.now) } }
    var killTimes: [ContinuousClock.Instant] { lock.withLock { kills } }
    func acknowledged(sid: String, text: String) { lock.withLock { webhooks[sid] = text } }
    func replyAnswered(_ text: String, status: Int?) {
        lock.withLock {
            switch status {
            case 202?: replies.append(text)
            case nil: unanswered += 1
            case let other?: refusedReplies.append(other)
            }
        }
    }
    var acknowledgedWebhooks: [String: String] { lock.withLock { webhooks } }
    var acknowledgedReplies: [String] { lock.withLock { replies } }
    var unansweredReplies: Int { lock.withLock { unanswered } }
    var refusedReplyStatuses: [Int] { lock.withLock { refusedReplies } }
}

extension ChildTraffic {
    /// Sends webhooks from `workers` concurrent senders until the ledger stops (and at least `minimum` were sent).
    func webhookLoad(_ ledger: TrafficLedger, workers: Int, minimum: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while true {
                        let index = ledger.takeIndex()
                        if !ledger.isRunning && index >= minimum { return }
                        let sid = "SM" + String(format: "%032x", index)
                        let text = "inbound \(index)"
                        try await deliver(sid: sid, from: Self.customers[index % Self.customers.count], text: text)
                        ledger.acknowledged(sid: sid, text: text)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Queues replies into the customers' conversations, one every `pause`, until the ledger stops.
    func replyLoad(_ ledger: TrafficLedger, pause: Duration, tag: String) async throws {
        var conversations: [String: String] = [:]
        var count = 0
        while ledger.isRunning {
            let customer = Self.customers[count % Self.customers.count]
            if conversations[customer] == nil { conversations[customer] = await conversationID(customer: customer) }
            if let id = conversations[customer] {
                let text = "reply \(tag)-\(count)"
                ledger.replyAnswered(text, status: await reply(conversationID: id, text: text))
                count += 1
            }
            try await Task.sleep(for: pause)
        }
    }
}

extension ChildGateway {
    /// Starts the built binary on `config` (log `serve.log` in `directory`) and runs `body` with it, a curl client,
    /// traffic against it and a ledger of that traffic; kills the child if `body` throws.
    static func withStarted(
        config: URL, port: Int, directory: URL,
        _ body: (ChildGateway, CurlClient, ChildTraffic, TrafficLedger) async throws -> Void
    ) async throws {
        let gateway = ChildGateway(
            configPath: config.path, port: port, logURL: directory.appendingPathComponent("serve.log"))
        try await CurlClient.withCurlClient { client in
            do {
                try await gateway.start(client: client)
                try await body(gateway, client, ChildTraffic(client: client, baseURL: gateway.baseURL), TrafficLedger())
            } catch {
                await gateway.stopIfRunning()
                throw error
            }
        }
    }

    /// After each pause (milliseconds), records a kill in `ledger`, kills the gateway with SIGKILL and starts it
    /// again on the same database and port; after `settle`, stops the ledger's traffic.
    func killAndRestart(
        after pauses: [Int], settle: Duration, ledger: TrafficLedger, client: CurlClient
    ) async throws {
        defer { ledger.stop() }
        for pause in pauses {
            try await Task.sleep(for: .milliseconds(pause))
            ledger.killed()
            await kill()
            try await start(client: client)
        }
        try await Task.sleep(for: settle)
    }
}
