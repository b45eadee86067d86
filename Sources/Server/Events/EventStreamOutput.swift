import NIOCore
import NIOHTTPTypes
import Router

/// An open event stream's writes, made straight into its connection on the connection's event loop: the events the
/// hub delivers and the heartbeats, with no task, no async writer and no buffer of the stream's own.
///
/// A stream used to be a loop on its connection's task that took each event from a buffer and wrote it through the
/// response's async writer. That task keeps the high-water mark of its async frames for as long as the stream is
/// open, and the loop with the writer under it was the deepest part: about 1.1 kB of the 21.2 kB an open stream cost
/// on 2026-12-07 (bench memory line). Now the task only waits for ``ended``.
///
/// Order: the head is written (by the connection's task, through the response's writer) before ``start(replay:)``;
/// events delivered while the stream opens (the sign-in's presence and notifications) wait until the replay is
/// written, and an event the replay already had is not written twice. Writes reach the connection in the order they
/// are made on its event loop, and the response's end, written after ``ended``, comes after them all.
///
/// A client that stops reading is not buffered for without bound: once the connection is unwritable (NIO's
/// high-water mark, 64 kB, waiting in the kernel and NIO), at most ``maxBytesBehind`` more are queued; past that
/// the connection is closed. The client reconnects with `Last-Event-ID` and gets the replay (CONTRACT.md §6).
final class EventStreamOutput: @unchecked Sendable {
    // @unchecked: every stored `var` is read and written on `channel.eventLoop` only (``onLoop(_:)``).

    /// Bytes queued for a connection that is already unwritable before it is closed.
    static let maxBytesBehind = 1 << 20
    private static let keepAlive = ": keep-alive\n\n"

    private enum Phase {
        /// Before ``start(replay:)``: events are kept in `pending`.
        case opening
        case live
        case ended
    }

    private let channel: any Channel
    private let endedPromise: EventLoopPromise<Void>
    private var phase = Phase.opening
    private var pending: [StreamEvent] = []
    private var pendingBytes = 0
    private var lastWritten: Int64 = 0
    private var bytesBehind = 0

    init(channel: any Channel) {
        self.channel = channel
        endedPromise = channel.eventLoop.makePromise()
    }

    /// Completes when the stream ended: ``end()``, or its connection closed for a client too far behind.
    var ended: EventLoopFuture<Void> { endedPromise.futureResult }

    /// An event from the hub: written now when live and newer than the last written, kept until
    /// ``start(replay:)`` while the stream opens, dropped once ended.
    func deliver(_ event: StreamEvent) {
        onLoop { output in
            switch output.phase {
            case .opening:
                output.pendingBytes += event.data.utf8.count
                guard output.pendingBytes <= Self.maxBytesBehind else { return output.closeForLagging() }
                output.pending.append(event)
            case .live:
                output.writeIfNew(event)
                output.channel.flush()
            case .ended:
                break
            }
        }
    }

    /// A comment line that keeps proxies from timing the stream out (live streams only).
    func heartbeat() {
        onLoop { output in
            guard case .live = output.phase else { return }
            output.write(Self.keepAlive)
            output.channel.flush()
        }
    }

    /// Writes `replay`, then the events delivered meanwhile that it lacks; from then on events are written as they
    /// come.
    func start(replay: [StreamEvent]) {
        onLoop { output in
            guard case .opening = output.phase else { return }
            output.phase = .live
            for event in replay { output.writeIfNew(event) }
            for event in output.pending { output.writeIfNew(event) }
            output.pending = []
            output.channel.flush()
        }
    }

    /// Ends the stream: nothing more is written; ``ended`` completes.
    func end() {
        onLoop { output in
            output.phase = .ended
            output.endedPromise.succeed()
        }
    }

    private func onLoop(_ body: @escaping @Sendable (EventStreamOutput) -> Void) {
        if channel.eventLoop.inEventLoop {
            body(self)
        } else {
            channel.eventLoop.execute { body(self) }
        }
    }

    private func writeIfNew(_ event: StreamEvent) {
        guard event.sequence > lastWritten, case .live = phase else { return }
        lastWritten = event.sequence
        write(event.wireFormat)
    }

    private func write(_ text: String) {
        let buffer = channel.allocator.buffer(string: text)
        if channel.isWritable {
            bytesBehind = 0
        } else {
            bytesBehind += buffer.readableBytes
            guard bytesBehind <= Self.maxBytesBehind else { return closeForLagging() }
        }
        channel.write(HTTPResponsePart.body(buffer), promise: nil)
    }

    private func closeForLagging() {
        phase = .ended
        pending = []
        channel.close(promise: nil)
        endedPromise.succeed()
    }
}
