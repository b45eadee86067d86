import Foundation
import Switchboard
import Testing

@testable import PostgresStorage

/// The planner's statistics while the inbound tables are young: analysed at 1,000 stored messages, then at four
/// times as many, one analysis at a time.
@Suite("PostgresStore: analysis of young tables", .timeLimit(.minutes(2)))
struct GrowthAnalysisTests {
    @Test func analysesAtEachFourfoldAndOneAtATime() {
        let analysis = GrowthAnalysis()
        #expect(!analysis.stored(999))
        #expect(analysis.stored(1))
        #expect(!analysis.stored(3_000))  // 4,000 passed while the first analysis runs
        analysis.analysed()
        #expect(analysis.stored(1))  // 4,001: the threshold passed meanwhile
        analysis.analysed()
        #expect(!analysis.stored(11_000))
        #expect(analysis.stored(1_000))  // 16,001
        analysis.analysed()
        #expect(analysis.stored(2_000_000))  // past 64,000: once, not once per threshold
        analysis.analysed()
        #expect(!analysis.stored(10_000_000))  // past the last: autovacuum's
    }

    @Test func storingAThousandMessagesAnalysesTheTables() async throws {
        let database = try await PostgresTestDatabase.create()
        do {
            let store = try await database.open()
            func analysed() async throws -> Int64 {
                try await store.withSession { db in
                    try await db.row(
                        "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('conversation', 'dedupe_key')"
                            + " AND last_analyze IS NOT NULL")?.required("count") ?? 0
                }
            }
            #expect(try await analysed() == 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<GrowthAnalysis.first {
                    group.addTask {
                        _ = try await store.recordInbound(
                            inbound(key: "g\(index)", from: "+1415555\(String(format: "%04d", index))"))
                    }
                }
                try await group.waitForAll()
            }
            var count: Int64 = 0
            for _ in 0..<500 {
                count = try await analysed()
                if count == 2 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(count == 2)
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }
}
