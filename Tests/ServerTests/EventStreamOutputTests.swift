import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Router
import Testing

@testable import Server

/// An open stream's writes go straight into its connection (``EventStreamOutput``): in order, each event once,
/// the replay before what arrived while the stream opened, and a client that reads nothing is disconnected rather
/// than buffered for without bound.
@Suite("Event stream output")
struct EventStreamOutputTests {
    private static func event(_ sequence: Int64, bytes: Int = 2) -> StreamEvent {
        StreamEvent(sequence: sequence, type: "presence", data: String(repeating: "x", count: bytes))
    }

    /// A channel as a client's connection is: active until closed.
    private static func connectedChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }

    /// Whether `output.ended` completed (on an embedded channel its callbacks run at once).
    private static func hasEnded(_ output: EventStreamOutput) -> Bool {
        let ended = NIOLockedValueBox(false)
        output.ended.whenComplete { _ in ended.withLockedValue { $0 = true } }
        return ended.withLockedValue { $0 }
    }

    /// The bodies written so far, as text.
    private static func written(_ channel: EmbeddedChannel) throws -> [String] {
        var bodies: [String] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            guard case .body(let buffer) = part else {
                Issue.record("a stream writes only body parts, not \(part)")
                continue
            }
            bodies.append(String(buffer: buffer))
        }
        return bodies
    }

    @Test func eventsThatArriveWhileTheStreamOpensAreWrittenAfterTheReplayAndOnlyOnce() throws {
        let channel = try Self.connectedChannel()
        let output = EventStreamOutput(channel: channel)
        output.deliver(Self.event(3))
        output.deliver(Self.event(4))
        output.heartbeat()
        #expect(try Self.written(channel).isEmpty, "nothing is written before the replay")

        output.start(replay: [Self.event(2), Self.event(3)])
        #expect(try Self.written(channel) == [2, 3, 4].map { Self.event($0).wireFormat })

        output.deliver(Self.event(4))
        output.deliver(Self.event(5))
        output.heartbeat()
        #expect(try Self.written(channel) == [Self.event(5).wireFormat, ": keep-alive\n\n"])
        output.end()
    }

    @Test func nothingIsWrittenOnceTheStreamEnded() throws {
        let channel = try Self.connectedChannel()
        let output = EventStreamOutput(channel: channel)
        output.start(replay: [])
        output.end()
        output.deliver(Self.event(1))
        output.heartbeat()
        #expect(try Self.written(channel).isEmpty)
        #expect(Self.hasEnded(output))
    }

    @Test func aClientThatReadsNothingIsDisconnectedOnceTooFarBehind() throws {
        let channel = try Self.connectedChannel()
        let output = EventStreamOutput(channel: channel)
        output.start(replay: [])
        let size = 10_000
        // Writable: however much is written, the client keeps up.
        for sequence in 1...200 { output.deliver(Self.event(Int64(sequence), bytes: size)) }
        #expect(try Self.written(channel).count == 200)
        #expect(!Self.hasEnded(output))
        #expect(channel.isActive)

        channel.isWritable = false
        let allowed = EventStreamOutput.maxBytesBehind / Self.event(1, bytes: size).wireFormat.utf8.count
        for sequence in 201...(201 + allowed + 5) { output.deliver(Self.event(Int64(sequence), bytes: size)) }
        #expect(try Self.written(channel).count == allowed, "queued up to the bound, then no more")
        #expect(Self.hasEnded(output), "the stream ended")
        #expect(!channel.isActive, "its connection was closed: the client reconnects with Last-Event-ID")
    }

    @Test func anOpeningThatPilesUpPastTheBoundEndsTheStream() throws {
        let channel = try Self.connectedChannel()
        let output = EventStreamOutput(channel: channel)
        let size = 100_000
        for sequence in 1...(EventStreamOutput.maxBytesBehind / size + 1) {
            output.deliver(Self.event(Int64(sequence), bytes: size))
        }
        #expect(Self.hasEnded(output))
        output.start(replay: [])
        #expect(try Self.written(channel).isEmpty)
        #expect(!channel.isActive)
    }
}
