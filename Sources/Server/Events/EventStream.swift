import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Router
import Switchboard

/// One agent's Server-Sent Events stream (CONTRACT.md §6): replay after `Last-Event-ID`, then the presence
/// and still-pending notifications the client lacks, then live events, with a comment line as heartbeat that keeps
/// proxies from timing the stream out. A client that closes its connection is noticed at once (`clientGone`): the
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
    /// Completes when the client closed the connection.
    let clientGone: EventLoopFuture<Void>

    /// Tells nginx not to buffer the stream; made once (a name made per response was an allocation per stream).
    private static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!

    private enum Item: Sendable {
        case event(StreamEvent)
        case heartbeat
    }

    func response() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", Self.accelBuffering: "no"],
            body: ResponseBody { writer in try await serve(&writer) })
    }

    // The stream's life is split into small functions that are not inlined into one another: an async function's
    // frame holds everything it computes, and the stream's task keeps its high-water mark of frame memory until the
    // stream closes.

    /// Subscribes, replays and signs in, forwards events until the client leaves, then signs out.
    private func serve(_ writer: inout any ResponseBodyWriter) async throws {
        // The hub and the shared heartbeat write into this stream's buffer directly: no task per stream.
        let (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let deliver: @Sendable (StreamEvent) -> Void = { continuation.yield(.event($0)) }
        let finish: @Sendable () -> Void = { continuation.finish() }
        // The opening work (store reads, sign-in) runs on short-lived tasks: see `onShortLivedTask`.
        guard let subscriptionID = try? await Self.onShortLivedTask({ try await subscribe(deliver, finish) }) else {
            try? await writer.finish(nil)
            return
        }
        clientGone.whenComplete { _ in continuation.finish() }
        heartbeats.register(subscriptionID, every: heartbeatInterval) { continuation.yield(.heartbeat) }
        do {
            let lastWritten = try await replayAndSignIn(&writer)
            try await forward(items, after: lastWritten, to: &writer)
        } catch {
            // The client went away: fall through to sign-out.
        }
        heartbeats.unregister(subscriptionID)
        hub.unsubscribe(agentID: agentID, id: subscriptionID)
        await streams.streamClosed(agentID: agentID)
        try? await writer.finish(nil)
    }

    /// Writes the replay, then signs in; returns the last event number written (0: none).
    @inline(never)
    private func replayAndSignIn(_ writer: inout any ResponseBodyWriter) async throws -> Int64 {
        var lastWritten: Int64 = 0
        let replay = try await Self.onShortLivedTask { try await replayedEvents() }
        for event in replay {
            try await writer.write(ByteBuffer(string: event.wireFormat))
            lastWritten = event.sequence
        }
        try await Self.onShortLivedTask { await signIn(replayed: replay) }
        return lastWritten
    }

    /// Writes live events (those the replay did not) and heartbeats until the stream's buffer is finished.
    @inline(never)
    private func forward(
        _ items: AsyncStream<Item>, after replayed: Int64, to writer: inout any ResponseBodyWriter
    ) async throws {
        var lastWritten = replayed
        for await item in items {
            switch item {
            case .event(let event) where event.sequence > lastWritten:
                try await writer.write(ByteBuffer(string: event.wireFormat))
                lastWritten = event.sequence
            case .event:
                continue
            case .heartbeat:
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
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
    init(services: GatewayServices, agentID: String, lastEventID: Int64?, clientGone: EventLoopFuture<Void>) {
        self.init(
            hub: services.hub, streams: services.streams, heartbeats: services.heartbeats,
            heartbeatInterval: services.heartbeatInterval, agentID: agentID, lastEventID: lastEventID,
            clientGone: clientGone)
    }
}
