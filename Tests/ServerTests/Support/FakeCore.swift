import Crypto
import Foundation
import Switchboard
import Synchronization
import TestHTTPServer

@testable import Server

/// A contact-center core for remote-mode tests (CONTRACT.md §11): a local HTTP server that verifies every
/// event's Standard Webhooks signature, answers what `policy` says, and records what it accepted, in order.
final class FakeCore: Sendable {
    static let secretBytes = Data("remote-core-test-secret-32-bytes".utf8)
    static var secret: String { "whsec_" + secretBytes.base64EncodedString() }
    static let token = "core-token"

    /// One event as the core read it.
    struct Event: Sendable {
        var id: String
        var type: String
        var conversationID: String
        var json: JSONValue
        /// Which attempt at this id it was (1 = first).
        var attempt: Int
        /// When the core read it, for failure messages that show the timing.
        var receivedAt = ContinuousClock.now
    }

    /// The status to answer an event with, given which attempt at its id this is.
    typealias Policy = @Sendable (_ event: Event) -> Int

    private struct State {
        var accepted: [Event] = []
        var attempts: [String: Int] = [:]
        var refused = 0
        var problems: [String] = []
    }
    private let state = Mutex(State())
    private let policy: Mutex<Policy>

    init(policy: @escaping Policy) { self.policy = Mutex(policy) }

    /// Events answered 2xx, in the order they were answered.
    var accepted: [Event] { state.withLock { $0.accepted } }
    /// Requests answered with something else.
    var refused: Int { state.withLock { $0.refused } }
    /// Requests that broke the protocol (bad signature, `webhook-id` not the event's id, not JSON).
    var problems: [String] { state.withLock { $0.problems } }

    func setPolicy(_ policy: @escaping Policy) { self.policy.withLock { $0 = policy } }

    /// Runs `body` with the core listening on a loopback port; every answer the core gives is always-2xx unless
    /// `policy` says otherwise.
    static func with<R>(
        policy: @escaping Policy = { _ in 204 }, _ body: (FakeCore, TestHTTPServer) async throws -> R
    ) async throws -> R {
        let core = FakeCore(policy: policy)
        return try await TestHTTPServer.withTestHTTPServer(handler: { request in core.handle(request) }) { server in
            try await body(core, server)
        }
    }

    private func handle(_ request: RecordedRequest) -> TestHTTPResponse {
        guard let id = request.header("webhook-id"), let timestamp = request.header("webhook-timestamp"),
            let signature = request.header("webhook-signature")
        else { return problem("an event without the three webhook-* headers") }
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(id).\(timestamp).".utf8) + Data(request.body), using: SymmetricKey(data: Self.secretBytes))
        guard signature == "v1," + Data(mac).base64EncodedString() else { return problem("bad signature on \(id)") }
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(request.body)),
            json["id"]?.stringValue == id, let type = json["type"]?.stringValue,
            let conversationID = json["conversationId"]?.stringValue
        else { return problem("event \(id): not JSON with id = webhook-id, type and conversationId") }
        let attempt = state.withLock { state -> Int in
            state.attempts[id, default: 0] += 1
            return state.attempts[id]!
        }
        let event = Event(id: id, type: type, conversationID: conversationID, json: json, attempt: attempt)
        let status = policy.withLock { $0 }(event)
        state.withLock { state in
            if (200..<300).contains(status) { state.accepted.append(event) } else { state.refused += 1 }
        }
        return TestHTTPResponse(status: status)
    }

    private func problem(_ what: String) -> TestHTTPResponse {
        state.withLock { $0.problems.append(what) }
        return TestHTTPResponse(status: 401)
    }

    /// Waits until `done` holds for the accepted events; returns them.
    @discardableResult
    func waitUntil(
        within timeout: Duration = .seconds(30), _ what: String, _ done: ([Event]) -> Bool
    ) async throws -> [Event] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let events = accepted
            if done(events) { return events }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("the core did not get \(what); it has \(events.map { "\($0.type) \($0.id)" })")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Each accepted event as `type id #attempt +seconds` (since the first), for a failing expectation's message.
    func timeline() -> String {
        let events = accepted
        guard let start = events.first?.receivedAt else { return "no event accepted" }
        return events.map { event in
            "\(event.type) \(event.id) #\(event.attempt) +\(String(format: "%.3f", (event.receivedAt - start).seconds)) s"
        }.joined(separator: "; ")
    }

    /// The accepted events' types for one conversation, first deliveries only, in order.
    func types(in conversationID: String) -> [String] {
        var seen = Set<String>()
        return accepted.filter { $0.conversationID == conversationID && seen.insert($0.id).inserted }.map(\.type)
    }
}
