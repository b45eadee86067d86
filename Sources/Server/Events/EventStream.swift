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
    let services: GatewayServices
    let agentID: String
    let lastEventID: Int64?
    /// Completes when the client closed the connection.
    let clientGone: EventLoopFuture<Void>

    private enum Item: Sendable {
        case event(StreamEvent)
        case heartbeat
    }

    func response() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in
                let hub = services.hub
                // The hub and the shared heartbeat write into this stream's buffer directly: no task per stream.
                let (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
                let deliver: @Sendable (StreamEvent) -> Void = { continuation.yield(.event($0)) }
                let finish: @Sendable () -> Void = { continuation.finish() }
                let subscriptionID: UUID
                if services.streams.streamsReadTheStore {
                    // Events reach this instance through the store: start after the last stored one.
                    guard let last = try? await hub.lastSequence(agentID: agentID) else {
                        try? await writer.finish(nil)
                        return
                    }
                    subscriptionID = hub.subscribe(agentID: agentID, after: last, deliver: deliver, finish: finish)
                } else {
                    subscriptionID = hub.subscribe(agentID: agentID, deliver: deliver, finish: finish)
                }
                clientGone.whenComplete { _ in continuation.finish() }
                services.heartbeats.register(subscriptionID, every: services.heartbeatInterval) {
                    continuation.yield(.heartbeat)
                }
                do {
                    var lastWritten: Int64 = 0
                    let replay = try await replayedEvents()
                    for event in replay {
                        try await writer.write(ByteBuffer(string: event.wireFormat))
                        lastWritten = event.sequence
                    }
                    await signIn(replayed: replay)
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
                } catch {
                    // The client went away: fall through to sign-out.
                }
                services.heartbeats.unregister(subscriptionID)
                hub.unsubscribe(agentID: agentID, id: subscriptionID)
                await services.streams.streamClosed(agentID: agentID)
                try? await writer.finish(nil)
            })
    }

    /// The kept events after `Last-Event-ID`, or none when it is absent, unknown or expired.
    private func replayedEvents() async throws -> [StreamEvent] {
        guard let lastEventID else { return [] }
        return try await services.hub.replay(agentID: agentID, after: lastEventID)
    }

    /// Signs the agent in; without a usable replay starts with its presence; re-sends pending notifications
    /// the replay lacked.
    /// In a cluster the leader does this.
    private func signIn(replayed: [StreamEvent]) async {
        let signIn = StreamSignIn(
            agentID: agentID, sendPresence: replayed.isEmpty,
            replayedNotificationIDs: replayed.filter { $0.type == "notification" }.compactMap { Self.dataID($0.data) })
        await services.streams.streamOpened(signIn)
    }

    private static func dataID(_ data: String) -> String? {
        struct Identified: Decodable { var id: String }
        return try? JSONDecoder().decode(Identified.self, from: Data(data.utf8)).id
    }
}
