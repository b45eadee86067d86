import Logging
import Synchronization

/// Statistics for the planner while the inbound tables are young: `ANALYZE` of the tables every webhook writes
/// each time the messages this process has stored pass 1,000, then four times as many (4,000, 16,000, … up to
/// about a million, after which autovacuum's own analyses, a tenth of the table apart, come often enough).
///
/// Until a table has been analysed once the planner guesses its selectivities: `status = 'open'` passes for as
/// selective as a customer's number, and a batch's lookup of open conversations then took the `(status,
/// created_at)` index and read every open conversation for each customer (2.6 ms a batch at 13,000 open
/// conversations, 2.6 times the rest of the batch's statements; measured with `auto_explain` in the bench), and
/// the duplicates' key lookup scanned `dedupe_key` whole. Autovacuum analyses a table a minute after it passes
/// 50 rows at the earliest, while a new database under load fills it with tens of thousands in that minute. The
/// analyses run on their own connection, outside any batch, one at a time.
final class GrowthAnalysis: Sendable {
    /// The tables every inbound message writes to.
    static let tables = "conversation, message, message_status_history, dedupe_key"
    static let first = 1_000
    static let last = 1_024_000

    private struct State {
        var stored = 0
        var next = GrowthAnalysis.first
        var running = false
    }
    private let state = Mutex(State())

    /// Counts `count` messages stored; `true` when the caller must analyse the tables now (a threshold passed
    /// and no analysis is running).
    func stored(_ count: Int) -> Bool {
        state.withLock { state in
            state.stored += count
            guard state.stored >= state.next, state.next <= Self.last, !state.running else { return false }
            while state.next <= state.stored { state.next *= 4 }
            state.running = true
            return true
        }
    }

    func analysed() {
        state.withLock { $0.running = false }
    }
}

extension PostgresStore {
    /// Counts the messages a batch stored and analyses the tables when ``GrowthAnalysis`` says so.
    func countStored(_ count: Int) {
        guard count > 0, growthAnalysis.stored(count) else { return }
        Task {
            defer { growthAnalysis.analysed() }
            do {
                _ = try await withSession { db in try await db.run("ANALYZE " + GrowthAnalysis.tables) }
            } catch {
                logger.warning("ANALYZE of the inbound tables failed: \(error)")
            }
        }
    }
}
