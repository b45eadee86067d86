import DomainFakes
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Router
import Switchboard
import Synchronization
import Testing

@testable import Server

/// A task keeps every slab of async-frame memory it ever needed until it ends, and an open event stream's task lives
/// as long as the stream: the opening work (the sign-in through the router and the store, the store reads) runs on
/// short-lived tasks of its own, so that it is not paid again for every open stream. The bench's memory line measures
/// the bytes; this checks the behaviour they depend on.
@Suite("Event stream tasks", .timeLimit(.minutes(1)))
struct EventStreamTaskTests {
    @Test func theSignInRunsOnATaskOtherThanTheStreams() async throws {
        let connection = NIOAsyncTestingChannel()
        try await connection.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080))
        // The client leaves once the stream has signed in, which ends the stream.
        let sessions = RecordingSessions { connection.close(promise: nil) }
        let hub = AgentEventHub(
            store: NoAgentEvents(), supervisorIDs: [], clock: ManualClock(), logger: Logger(label: "test"),
            metrics: Metrics())
        let stream = EventStream(
            hub: hub, streams: sessions, heartbeats: HeartbeatTicker(), heartbeatInterval: .seconds(60),
            agentID: "alice", lastEventID: nil, channel: connection)
        let streamTask = withUnsafeCurrentTask { $0?.hashValue }
        let finished = FinishRecorder()

        try await stream.response().body.write(finished)

        #expect(finished.done.withLock { $0 }, "the stream ended with its body finished")
        let openedOn = sessions.openedOn.withLock { $0 }
        #expect(openedOn.count == 1)
        #expect(openedOn.allSatisfy { $0 != nil && $0 != streamTask }, "the sign-in ran on the stream's own task")
        #expect(sessions.closed.withLock { $0 } == ["alice"])
    }

    @Test func shortLivedWorkRunsOnAnotherTaskAndPassesItsErrorOn() async throws {
        let callerTask = withUnsafeCurrentTask { $0?.hashValue }
        let workTask = try await EventStream.onShortLivedTask { withUnsafeCurrentTask { $0?.hashValue } }
        #expect(workTask != nil)
        #expect(workTask != callerTask)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await EventStream.onShortLivedTask { () async throws -> Int in throw Refused() }
        }
    }
}

/// Records on which task each stream signed in, and who signed out.
private final class RecordingSessions: AgentStreamSessions {
    let openedOn = Mutex<[Int?]>([])
    let closed = Mutex<[String]>([])
    let onOpened: @Sendable () -> Void

    init(onOpened: @escaping @Sendable () -> Void) {
        self.onOpened = onOpened
    }

    var streamsReadTheStore: Bool { false }

    func streamOpened(_ signIn: StreamSignIn) async {
        let task = withUnsafeCurrentTask { $0?.hashValue }
        openedOn.withLock { $0.append(task) }
        onOpened()
    }

    func streamClosed(agentID: String) async {
        closed.withLock { $0.append(agentID) }
    }
}

/// No stored events: a stream without `Last-Event-ID` reads none.
private struct NoAgentEvents: AgentEventStore {
    func appendAgentEvent(agentID: String, type: String, data: String, at: Date) async throws -> Int64 { 1 }
    func agentEvents(agentID: String, after: Int64) async throws -> [StoredAgentEvent] { [] }
    func lastAgentEventSequence(agentID: String) async throws -> Int64 { 0 }
}

/// A response body writer that only notes that the body was finished.
private final class FinishRecorder: ResponseBodyWriter, Sendable {
    let done = Mutex(false)

    func write(_ buffer: ByteBuffer) async throws {}

    func finish(_ trailingHeaders: HTTPFields?) async throws {
        done.withLock { $0 = true }
    }
}
