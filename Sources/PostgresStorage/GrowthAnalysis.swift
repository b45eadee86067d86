import Logging
import Synchronization

/// Statistics for the planner while tables are young: `ANALYZE` of a group of tables each time the rows this
/// process has written to them pass 1,000, then four times as many (4,000, 16,000, … up to about a million,
/// after which autovacuum's own analyses, a tenth of the table apart, come often enough). Two groups: the tables
/// every inbound message writes to, counted in messages stored, and `contact`, counted in contacts imported.
///
/// Until a table has been analysed once the planner guesses its selectivities: `status = 'open'` passes for as
/// selective as a customer's number, and a batch's lookup of open conversations then took the `(status,
/// created_at)` index and read every open conversation for each customer (2.6 ms a batch at 13,000 open
/// conversations, 2.6 times the rest of the batch's statements; measured with `auto_explain` in the bench), and
/// the duplicates' key lookup scanned `dedupe_key` whole. A prepared statement keeps its plan until the table's
/// next analysis: one planned while `contact` was empty would scan a million contacts imported since at every
/// call. Autovacuum analyses a table a minute after it passes 50 rows at the earliest, while a new database
/// under load (or an import) fills it with tens of thousands in that minute. The analyses run on their own
/// connection, outside any transaction of the store's, one at a time per group.
final class GrowthAnalysis: Sendable {
    /// The tables every inbound message writes to.
    static let inbound = "conversation, message, message_status_history, dedupe_key"
    static let contacts = "contact"
    static let first = 1_000
    static let last = 1_024_000

    private struct State {
        var written = 0
        var next = GrowthAnalysis.first
        var running = false
    }
    private let state = Mutex(State())
    /// The tables, as `ANALYZE` lists them.
    let tables: String

    init(tables: String) {
        self.tables = tables
    }

    /// Counts `count` rows written; `true` when the caller must analyse the tables now (a threshold passed and no
    /// analysis is running).
    func written(_ count: Int) -> Bool {
        state.withLock { state in
            state.written += count
            guard state.written >= state.next, state.next <= Self.last, !state.running else { return false }
            while state.next <= state.written { state.next *= 4 }
            state.running = true
            return true
        }
    }

    func analysed() {
        state.withLock { $0.running = false }
    }
}

extension PostgresStore {
    /// Counts `count` rows written to `growth`'s tables and analyses them when it says so.
    func countWritten(_ count: Int, _ growth: GrowthAnalysis) {
        guard count > 0, growth.written(count) else { return }
        Task {
            defer { growth.analysed() }
            do {
                _ = try await withSession { db in try await db.run("ANALYZE " + growth.tables) }
            } catch {
                logger.warning("ANALYZE \(growth.tables) failed: \(error)")
            }
        }
    }
}
