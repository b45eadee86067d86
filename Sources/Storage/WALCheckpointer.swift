import Foundation
import GRDB
import Synchronization

/// Copies the write-ahead log into the database file from a connection of its own, beside the writer.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, so every caller of that
/// transaction waits for thousands of page writes and two `fsync`s: the slowest webhooks under steady load. Here the
/// writer's automatic checkpoint is off and, after a commit, a `PASSIVE` checkpoint (which never waits for, nor
/// blocks, the writer or readers) starts on this connection unless one is running or one started less than
/// ``interval`` ago. The WAL stays about as short as before; what a commit promises is unchanged (in WAL mode a
/// commit is durable by the WAL alone, the checkpoint only moves pages).
final class WALCheckpointer: Sendable {
    /// The shortest time between the starts of two checkpoints.
    static let interval = Duration.milliseconds(100)

    private struct State {
        var running = false
        /// A commit happened since the last checkpoint started.
        var dirty = false
        /// A later look is scheduled (commits arrived too soon after the last start).
        var retryScheduled = false
        var lastStart: ContinuousClock.Instant?
    }

    private enum Next {
        case nothing
        case start
        case retryLater
    }

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let completed = Atomic<Int>(0)

    /// Opens the checkpoint's connection to the WAL-mode database at `path`.
    init(path: String, configuration: Configuration) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// How many checkpoints have run (tests).
    var checkpointCount: Int { completed.load(ordering: .relaxed) }

    /// Whether a checkpoint is running or due (tests).
    var isBusy: Bool { state.withLock { $0.running || $0.dirty || $0.retryScheduled } }

    /// Called after each commit: starts a checkpoint if it is time, or makes sure one follows.
    func committed() {
        state.withLock { $0.dirty = true }
        checkpointIfDirty()
    }

    private func checkpointIfDirty() {
        let now = ContinuousClock.now
        let next: Next = state.withLock { state in
            // A running checkpoint looks again when it ends.
            guard state.dirty, !state.running else { return .nothing }
            if let last = state.lastStart, now - last < Self.interval {
                guard !state.retryScheduled else { return .nothing }
                state.retryScheduled = true
                return .retryLater
            }
            state.running = true
            state.dirty = false
            state.lastStart = now
            return .start
        }
        switch next {
        case .nothing:
            return
        case .retryLater:
            // The last commits of a burst get their checkpoint too, without waiting for another commit.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
                state.withLock { $0.retryScheduled = false }
                checkpointIfDirty()
            }
        case .start:
            connection.asyncWriteWithoutTransaction { [self] db in
                // A failure (busy, I/O) leaves the pages in the WAL for the next checkpoint; nothing is lost.
                _ = try? db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
                completed.add(1, ordering: .relaxed)
                state.withLock { $0.running = false }
                checkpointIfDirty()
            }
        }
    }
}
