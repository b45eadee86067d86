import Foundation
import Logging
import Router
import Switchboard
import Synchronization
import Testing

@testable import Cluster

/// A follower's calls to the leader, sent together while one request is on its way (`LeaderCallQueue`), in the
/// body of `POST /internal/cluster/calls` (`ClusterCallBatch`).
@Suite struct ClusterCallBatchTests {
    static let calls: [ClusterCall] = [
        .closeConversation(ConversationClosing(id: "conv_1", reason: .closedByAgent)),
        .agentConnected(AgentStreams(agentID: "alice", count: 2)),
        .callConnectFailed(ConversationReference(id: "conv_2")),
        .signIn(StreamSignIn(agentID: "bob", sendPresence: true, replayedNotificationIDs: ["n1", "n2"])),
        .agentDisconnected(AgentStreams(agentID: "alice", count: 1)),
    ]

    @Test func aBatchIsAnArrayOfOneMemberObjectsNamedAsTheCalls() throws {
        let body = try JSONEncoder().encode(ClusterCallBatch(Self.calls))
        let objects = try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
        #expect(objects.map { Array($0.keys) } == Self.calls.map { [$0.name] })
        let decoded = try ClusterNode.calls(body: body)
        #expect(decoded.map(\.name) == Self.calls.map(\.name))
        // Each call's body as its own route takes it.
        #expect(try decoded.map { try Self.canonical($0.body()) } == Self.calls.map { try Self.canonical($0.body()) })
    }

    @Test(arguments: [
        #"{"notify": {}}"#,
        #"[{"close-conversation": {"id": "c", "reason": "closed-by-agent"}, "agent-connected": {}}]"#,
        #"[{"shutdown": {}}]"#, #"[{"close-conversation": {"id": 1}}]"#, #"[[]]"#,
    ])
    func aBodyThatIsNoBatchIsRefused(body: String) {
        #expect(throws: (any Error).self) { try ClusterNode.calls(body: Data(body.utf8)) }
    }

    @Test func callsMadeWhileARequestIsOnItsWayGoTogetherInOrder() async throws {
        let queue = LeaderCallQueue()
        let requests = Mutex<[[String]]>([])
        let firstArrived = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let deliver: @Sendable ([ClusterCall]) async -> Bool = { calls in
            let count = requests.withLock { requests in
                requests.append(calls.map(Self.label))
                return requests.count
            }
            if count == 1 {
                firstArrived.continuation.yield()
                var iterator = release.stream.makeAsyncIterator()
                await iterator.next()
            }
            return count != 2
        }
        let first = Task { await queue.send(.callConnectFailed(ConversationReference(id: "c0")), via: deliver) }
        var arrived = firstArrived.stream.makeAsyncIterator()
        await arrived.next()
        // The first request is on its way: these wait, then go in one request, in the order they were made.
        var later: [Task<Bool, Never>] = []
        for index in 1...10 {
            later.append(
                Task { await queue.send(.callConnectFailed(ConversationReference(id: "c\(index)")), via: deliver) })
            while queue.waitingCount < index { await Task.yield() }
        }
        release.continuation.yield()
        #expect(await first.value)
        for task in later { #expect(await task.value == false, "the second request was refused: each call is told") }
        #expect(requests.withLock { $0 } == [["c0"], (1...10).map { "c\($0)" }])
        #expect(queue.batchCount == 2)
        // Idle again: the next call goes at once, alone.
        #expect(await queue.send(.callConnectFailed(ConversationReference(id: "c11")), via: deliver))
        #expect(requests.withLock { $0.last } == ["c11"])
    }

    /// JSON with its keys sorted, to compare documents rather than one encoder's key order.
    static func canonical(_ json: [UInt8]) throws -> Data {
        try JSONSerialization.data(
            withJSONObject: try JSONSerialization.jsonObject(with: Data(json)), options: .sortedKeys)
    }

    /// A leader of an older version answers 404 to `/internal/cluster/calls`: the batch goes one call at a time to
    /// their own routes, in order; a single call never uses the batch route.
    @Test func aLeaderWithoutTheBatchRouteGetsTheCallsOneByOne() async {
        let paths = Mutex<[String]>([])
        let oldLeader: (String, [UInt8]) async -> ClusterNode.PostOutcome = { path, _ in
            paths.withLock { $0.append(path) }
            return path == "/internal/cluster/calls" ? .unknownRoute : .taken
        }
        let logger = Logger(label: "test")
        #expect(await ClusterNode.post(Array(Self.calls.prefix(3)), logger: logger, send: oldLeader))
        #expect(
            paths.withLock { $0 }
                == ["/internal/cluster/calls"] + Self.calls.prefix(3).map { "/internal/cluster/\($0.name)" })
        paths.withLock { $0 = [] }
        #expect(await ClusterNode.post([Self.calls[0]], logger: logger, send: oldLeader))
        #expect(paths.withLock { $0 } == ["/internal/cluster/close-conversation"])
        // Refused anywhere: not taken.
        let refusing: (String, [UInt8]) async -> ClusterNode.PostOutcome = { path, _ in
            path.hasSuffix("agent-connected") ? .refused : path.hasSuffix("/calls") ? .unknownRoute : .taken
        }
        #expect(await ClusterNode.post(Self.calls, logger: logger, send: refusing) == false)
    }

    static func label(_ call: ClusterCall) -> String {
        if case .callConnectFailed(let reference) = call { return reference.id }
        return call.name
    }
}
