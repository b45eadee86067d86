import Foundation
import Logging

/// Deletes what is older than the `retention` settings (CONTRACT.md §12): messages, closed conversations with their
/// messages, dedupe keys and replay nonces, and (once the decision log is stored) the router's decisions.
///
/// Each batch is one short transaction of at most ``batchSize`` rows, and the sweep pauses between batches
/// (``pause``), so webhooks arriving meanwhile are stored between two batches rather than after the whole sweep.
/// It runs on one instance only (the leader, in a cluster): ``run(every:)`` sweeps at start and then periodically.
public struct RetentionSweeper: Sendable {
    /// Rows per transaction: small enough that a batch holds the write lock for a few milliseconds.
    public static let defaultBatchSize = 250
    /// The shortest pause between two batches. The sweep pauses at least as long as the last batch took (a duty
    /// cycle of at most one half), so that most transactions are webhooks' alone (on SQLite a webhook arriving during
    /// a batch shares its transaction): a large first sweep goes at a steady pace instead of making every webhook
    /// wait for a batch, and slows down by itself when the database is busy.
    public static let defaultPause = Duration.milliseconds(2)

    /// What one sweep deleted, by kind (the `kind` label of `switchboard_retention_deleted_total`).
    public struct Report: Sendable, Equatable {
        public var messages = 0
        public var conversations = 0
        public var dedupeKeys = 0
        public var replayNonces = 0
        public var decisions = 0

        public init(
            messages: Int = 0, conversations: Int = 0, dedupeKeys: Int = 0, replayNonces: Int = 0, decisions: Int = 0
        ) {
            self.messages = messages
            self.conversations = conversations
            self.dedupeKeys = dedupeKeys
            self.replayNonces = replayNonces
            self.decisions = decisions
        }
    }

    let store: any RetentionStore
    /// The decision log's store once there is one (`retention.decisionsDays`); `nil`: nothing to sweep there yet.
    let decisions: (any DecisionRetentionStore)?
    /// The settings in force, read at each sweep so that a reload (CONTRACT.md §12) applies to the next one.
    let currentSettings: @Sendable () -> Configuration.RetentionSettings
    var settings: Configuration.RetentionSettings { currentSettings() }
    let metrics: Metrics?
    let clock: any WallClock
    let logger: Logger
    public let batchSize: Int
    public let pause: Duration

    public init(
        store: any RetentionStore, settings: Configuration.RetentionSettings,
        decisions: (any DecisionRetentionStore)? = nil, metrics: Metrics? = nil,
        clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "switchboard.retention"), batchSize: Int = RetentionSweeper.defaultBatchSize,
        pause: Duration = RetentionSweeper.defaultPause
    ) {
        self.init(
            store: store, currentSettings: { settings }, decisions: decisions, metrics: metrics, clock: clock,
            logger: logger, batchSize: batchSize, pause: pause)
    }

    /// A sweeper that reads its settings at each sweep from `currentSettings` (the live configuration's).
    public init(
        store: any RetentionStore, currentSettings: @escaping @Sendable () -> Configuration.RetentionSettings,
        decisions: (any DecisionRetentionStore)? = nil, metrics: Metrics? = nil,
        clock: any WallClock = SystemWallClock(),
        logger: Logger = Logger(label: "switchboard.retention"), batchSize: Int = RetentionSweeper.defaultBatchSize,
        pause: Duration = RetentionSweeper.defaultPause
    ) {
        self.store = store
        self.currentSettings = currentSettings
        self.decisions = decisions
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.batchSize = max(1, batchSize)
        self.pause = pause
    }

    /// Sweeps after `delay` (at once by default), then every `interval`, until the task is cancelled. A failed sweep
    /// (the database unreachable) is logged and tried again at the next round.
    public func run(every interval: Duration = .seconds(60), after delay: Duration = .zero) async {
        if delay > .zero { try? await Task.sleep(for: delay) }
        while !Task.isCancelled {
            do {
                let report = try await sweep(now: clock.now())
                if report != Report() { logger.info("retention sweep deleted \(report.summary)") }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("retention sweep failed, trying again in \(interval): \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Deletes, batch by batch, everything older than the settings at `now`; returns what it deleted.
    @discardableResult
    public func sweep(now: Date) async throws -> Report {
        var report = Report()
        let days = Configuration.RetentionSettings.self
        let settings = settings
        if let cutoff = days.cutoff(days: settings.closedConversationsDays, now: now) {
            try await inBatches { limit in
                let deletion = try await store.deleteClosedConversations(closedBefore: cutoff, limit: limit)
                count(deletion.conversations, "conversations", &report.conversations)
                count(deletion.messages, "messages", &report.messages)
                return deletion.total
            }
        }
        if let cutoff = days.cutoff(days: settings.messagesDays, now: now) {
            try await inBatches { limit in
                let deleted = try await store.deleteMessages(createdBefore: cutoff, limit: limit)
                count(deleted, "messages", &report.messages)
                return deleted
            }
        }
        if let cutoff = days.cutoff(days: settings.dedupeDays, now: now) {
            try await inBatches { limit in
                let deleted = try await store.deleteDedupeKeys(createdBefore: cutoff, limit: limit)
                count(deleted, "dedupeKeys", &report.dedupeKeys)
                return deleted
            }
            try await inBatches { limit in
                let deleted = try await store.deleteReplayNonces(seenBefore: cutoff, limit: limit)
                count(deleted, "replayNonces", &report.replayNonces)
                return deleted
            }
        }
        // The hook for the router's decision log (CONTRACT.md §12): swept as soon as a store keeps it.
        if let decisions, let cutoff = days.cutoff(days: settings.decisionsDays, now: now) {
            try await inBatches { limit in
                let deleted = try await decisions.deleteDecisions(madeBefore: cutoff, limit: limit)
                count(deleted, "decisions", &report.decisions)
                return deleted
            }
        }
        return report
    }

    /// Calls `batch` until it deletes fewer rows than a full batch, giving other tasks (webhooks) their turn
    /// between two batches (as long as the batch took, at least ``pause``; `zero`: only a yield).
    private func inBatches(_ batch: (Int) async throws -> Int) async throws {
        while true {
            try Task.checkCancellation()
            let started = ContinuousClock.now
            let deleted = try await batch(batchSize)
            guard deleted >= batchSize else { return }
            if pause > .zero {
                try await Task.sleep(for: max(pause, ContinuousClock.now - started))
            } else {
                await Task.yield()
            }
        }
    }

    private func count(_ deleted: Int, _ kind: String, _ total: inout Int) {
        total += deleted
        metrics?.increment("switchboard_retention_deleted_total", ["kind": kind], by: Double(deleted))
    }
}

extension RetentionSweeper.Report {
    /// `messages 3, conversations 1, …` for the log.
    var summary: String {
        "messages \(messages), conversations \(conversations), dedupe keys \(dedupeKeys), "
            + "replay nonces \(replayNonces), decisions \(decisions)"
    }
}
