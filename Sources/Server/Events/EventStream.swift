import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Router
import Switchboard

/// One agent's Server-Sent Events stream (CONTRACT.md §6): replay after `Last-Event-ID`, then the presence
/// and still-pending notifications the client lacks, then live events, with a comment line as heartbeat that keeps
/// proxies from timing the stream out. A client that closes its connection is noticed at once (`ConnectionWatcher`): the
/// agent's sign-out, and with it the seed's "a few seconds" to unavailable, starts then, not at the next heartbeat.
struct EventStream: Sendable {
    // Only what an open stream uses, not the whole `GatewayServices`: the response body's closure keeps these for
    // as long as the stream is open.
    let hub: AgentEventHub
    let streams: any AgentStreamSessions
    let heartbeats: HeartbeatTicker
    let heartbeatInterval: Duration
    let agentID: String
    let lastEventID: Int64?
    /// The stream's connection: events are written into it directly (``EventStreamOutput``), and its client going
    /// away ends the stream.
    let channel: any Channel

    /// Tells nginx not to buffer the stream; made once (a name made per response was an allocation per stream).
    private static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!

    /// The stream's own headers, whichever way it is answered.
    private static let headers: HTTPFields = [
        .contentType: "text/event-stream", .cacheControl: "no-cache", accelBuffering: "no",
    ]

    /// The stream as the router's answer (the application adds `Date` and `Server`).
    func response() -> Response {
        Response(status: .ok, headers: Self.headers, body: ResponseBody { writer in try await serve(&writer) })
    }

    /// The stream's head when it is answered before the application (``DirectResponder``), with the headers the
    /// application adds to every response.
    func head(serverName: String) -> HTTPResponse {
        var fields = Self.headers
        fields[.date] = HTTPDate.rfc1123(Date())
        fields[.server] = serverName
        return HTTPResponse(status: .ok, headerFields: fields)
    }

    /// Subscribes, replays and signs in, has events written until the client leaves, then signs out. The
    /// connection's task only waits meanwhile: the writes are made on the connection's event loop.
    func serve(_ writer: inout any ResponseBodyWriter) async throws {
        let output = EventStreamOutput(channel: channel)
        // The opening work (store reads, sign-in) runs on a short-lived task: see `onShortLivedTask`.
        guard let opened = try? await Self.onShortLivedTask({ try await open(output) }) else {
            output.end()
            try? await writer.finish(nil)
            return
        }
        ConnectionWatcher.clientGone(of: channel).whenComplete { _ in output.end() }
        heartbeats.register(opened.subscriptionID, every: heartbeatInterval) { output.heartbeat() }
        output.start(replay: opened.replay)
        try? await output.ended.get()
        heartbeats.unregister(opened.subscriptionID)
        hub.unsubscribe(agentID: agentID, id: opened.subscriptionID)
        await streams.streamClosed(agentID: agentID)
        try? await writer.finish(nil)
    }

    /// What the opening work leaves for the connection's task: the hub's subscription and the events to replay.
    private struct Opened: Sendable {
        var subscriptionID: UUID
        var replay: [StreamEvent]
    }

    /// Subscribes to the hub, reads the replay and signs the agent in. The sign-in's own events (presence,
    /// pending notifications) wait in `output` and are written after the replay.
    private func open(_ output: EventStreamOutput) async throws -> Opened {
        let subscriptionID = try await subscribe(output.deliver, output.end)
        let replay: [StreamEvent]
        do {
            replay = try await replayedEvents()
        } catch {
            hub.unsubscribe(agentID: agentID, id: subscriptionID)
            throw error
        }
        await signIn(replayed: replay)
        return Opened(subscriptionID: subscriptionID, replay: replay)
    }

    /// Runs `work` on a task of its own and waits for it (cancelled with the caller). A task keeps every slab of
    /// async-frame memory it ever needed until it ends, and a stream's task, the connection's, lives as long as the
    /// stream: opening work done on it (a sign-in through the router and the store is deep) stayed allocated, about
    /// 12 kB of the 35 kB per open stream measured on 2026-12-06. On a child task it is freed when the work ends.
    static func onShortLivedTask<Value: Sendable>(
        _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask(operation: work)
            guard let value = try await group.next() else { throw CancellationError() }
            return value
        }
    }

    /// Subscribes to the hub; in a cluster, after the last stored event (events reach this instance through the
    /// store).
    private func subscribe(
        _ deliver: @escaping @Sendable (StreamEvent) -> Void, _ finish: @escaping @Sendable () -> Void
    ) async throws -> UUID {
        guard streams.streamsReadTheStore else {
            return hub.subscribe(agentID: agentID, deliver: deliver, finish: finish)
        }
        let last = try await hub.lastSequence(agentID: agentID)
        return hub.subscribe(agentID: agentID, after: last, deliver: deliver, finish: finish)
    }

    /// The kept events after `Last-Event-ID`, or none when it is absent, unknown or expired.
    private func replayedEvents() async throws -> [StreamEvent] {
        guard let lastEventID else { return [] }
        return try await hub.replay(agentID: agentID, after: lastEventID)
    }

    /// Signs the agent in; without a usable replay starts with its presence; re-sends pending notifications
    /// the replay lacked.
    /// In a cluster the leader does this.
    private func signIn(replayed: [StreamEvent]) async {
        let signIn = StreamSignIn(
            agentID: agentID, sendPresence: replayed.isEmpty,
            replayedNotificationIDs: replayed.filter { $0.type == "notification" }.compactMap { Self.dataID($0.data) })
        await streams.streamOpened(signIn)
    }

    private static func dataID(_ data: String) -> String? {
        struct Identified: Decodable { var id: String }
        return try? JSONDecoder().decode(Identified.self, from: Data(data.utf8)).id
    }
}

extension EventStream {
    /// A stream of `agentID`'s events served with the gateway's hub, sessions and heartbeat ticker (the synthesized
    /// initializer takes those parts one by one).
    init(services: GatewayServices, agentID: String, lastEventID: Int64?, channel: any Channel) {
        self.init(
            hub: services.hub, streams: services.streams, heartbeats: services.heartbeats,
            heartbeatInterval: services.heartbeatInterval, agentID: agentID, lastEventID: lastEventID,
            channel: channel)
    }
}
