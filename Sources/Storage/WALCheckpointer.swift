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
///
/// A checkpoint beside a busy writer never catches up with it: while it copies, new frames arrive, so the WAL
/// is never wholly copied when a transaction starts, and SQLite only writes the WAL from its beginning again
/// (instead of appending) at the start of a transaction that finds it wholly copied. Under steady load the WAL
/// grew without end (500 MB in 10 s at 1,000 webhooks/s, issue 18), every commit appending to new pages of the
/// file. So when a checkpoint ends with the WAL longer than ``restartFrames``, the writer itself copies the
/// few frames written meanwhile, between two of its transactions: the next transaction then starts the WAL
/// over, and the file keeps its size.
final class WALCheckpointer: Sendable {
    /// The shortest time between the starts of two checkpoints.
    static let interval = Duration.milliseconds(100)
    /// From this many frames in the WAL (256 MB of 4 kB pages) the writer finishes the checkpoint. Each time
    /// costs the writer a copy and two `fsync`s: at 4,096 frames (five times a second under heavy writes) the
    /// retention line swept 0.65× as fast as with a WAL left to grow, at 65,536 frames 0.85× (issue 18). The file
    /// keeps its largest size: cutting it back at each restart (`journal_size_limit`) made the webhooks of that
    /// moment wait 25–60 ms for the truncation.
    static let defaultRestartFrames = 65_536

    private struct State {
        var running = false
        /// A commit happened since the last checkpoint started.
        var dirty = false
        /// A later look is scheduled (commits arrived too soon after the last start).
        var retryScheduled = false
        var lastStart: ContinuousClock.Instant?
        /// The writer has been asked to finish a checkpoint and has not yet.
        var finishing = false
    }

    private enum Next {
        case nothing
        case start
        case retryLater
    }

    private let connection: DatabaseQueue
    private let writer: any DatabaseWriter
    private let restartFrames: Int
    private let state = Mutex(State())
    private let completed = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)

    /// Opens the checkpoint's connection to the WAL-mode database at `path`, whose one writer is `writer`.
    init(
        path: String, configuration: Configuration, writer: any DatabaseWriter,
        restartFrames: Int = defaultRestartFrames
    ) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.writer = writer
        self.restartFrames = restartFrames
    }

    /// How many checkpoints have run (tests).
    var checkpointCount: Int { completed.load(ordering: .relaxed) }

    /// How many checkpoints the writer has finished so that the WAL starts over (tests).
    var writerCheckpointCount: Int { finished.load(ordering: .relaxed) }

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
            // A running checkpoint looks again when it ends, and so does the writer's (SQLite runs one at a time).
            guard state.dirty, !state.running, !state.finishing else { return .nothing }
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
                let frames = Self.checkpoint(db)
                completed.add(1, ordering: .relaxed)
                state.withLock { $0.running = false }
                if frames >= restartFrames { finishOnWriter() }
                checkpointIfDirty()
            }
        }
    }

    /// Asks the writer to copy what is left of the WAL between two of its transactions (once at a time).
    private func finishOnWriter() {
        let ask = state.withLock { state -> Bool in
            guard !state.finishing else { return false }
            state.finishing = true
            return true
        }
        guard ask else { return }
        writer.asyncWriteWithoutTransaction { [self] db in
            _ = Self.checkpoint(db)
            finished.add(1, ordering: .relaxed)
            state.withLock { $0.finishing = false }
            checkpointIfDirty()
        }
    }

    /// A `PASSIVE` checkpoint; returns how many frames the WAL had (0 when it failed).
    private static func checkpoint(_ db: Database) -> Int {
        // Its row: busy (0 or 1), frames in the WAL, frames checkpointed.
        (try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)"))?[1] ?? 0
    }
}
