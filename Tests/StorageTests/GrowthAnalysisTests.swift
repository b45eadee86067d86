import Foundation
import Switchboard
import Testing

@testable import PostgresStorage

/// The planner's statistics while the inbound tables are young: analysed at 1,000 stored messages, then at four
/// times as many, one analysis at a time.
@Suite("PostgresStore: analysis of young tables", .timeLimit(.minutes(2)))
struct GrowthAnalysisTests {
    @Test func analysesAtEachFourfoldAndOneAtATime() {
        let analysis = GrowthAnalysis(tables: GrowthAnalysis.inbound)
        #expect(!analysis.written(999))
        #expect(analysis.written(1))
        #expect(!analysis.written(3_000))  // 4,000 passed while the first analysis runs
        analysis.analysed()
        #expect(analysis.written(1))  // 4,001: the threshold passed meanwhile
        analysis.analysed()
        #expect(!analysis.written(11_000))
        #expect(analysis.written(1_000))  // 16,001
        analysis.analysed()
        #expect(analysis.written(2_000_000))  // past 64,000: once, not once per threshold
        analysis.analysed()
        #expect(!analysis.written(10_000_000))  // past the last: autovacuum's
    }

    @Test func storingAThousandMessagesAnalysesTheTables() async throws {
        try await expectAnalysed(["conversation", "dedupe_key"]) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<GrowthAnalysis.first {
                    group.addTask {
                        _ = try await store.recordInbound(
                            inbound(key: "g\(index)", from: "+1415555\(String(format: "%04d", index))"))
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func importingAThousandContactsAnalysesThem() async throws {
        try await expectAnalysed(["contact"]) { store in
            _ = try await store.importContacts(
                (0..<GrowthAnalysis.first).map { contact("c\($0)", phone: "+1415555\(String(format: "%04d", $0))") })
        }
    }

    /// Runs `body` on a fresh database and expects `tables`, never analysed before, analysed soon after.
    func expectAnalysed(_ tables: [String], _ body: (PostgresStore) async throws -> Void) async throws {
        let database = try await PostgresTestDatabase.create()
        do {
            let store = try await database.open()
            func analysed() async throws -> Int64 {
                try await store.withSession { db in
                    try await db.row(
                        "SELECT count(*) FROM pg_stat_user_tables WHERE relname = ANY($1::text[])"
                            + " AND last_analyze IS NOT NULL", [tables])?.required("count") ?? 0
                }
            }
            #expect(try await analysed() == 0)
            try await body(store)
            var count: Int64 = 0
            for _ in 0..<500 {
                count = try await analysed()
                if count == tables.count { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(count == tables.count)
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }
}
