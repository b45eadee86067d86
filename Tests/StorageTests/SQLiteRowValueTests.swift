import GRDB
import Testing

@testable import Storage

/// `Row.value(_:)`, which every SQLite decoder reads columns with: the column named exactly, else GRDB's
/// case-insensitive match, the first of equal names, `nil` for NULL or a column that is not there.
@Suite struct SQLiteRowValueTests {
    @Test func readsColumnsByExactNameThenIgnoringCase() throws {
        let queue = try DatabaseQueue()
        try queue.read { db in
            let row = try #require(
                try db.row(
                    "SELECT 'a' AS id, 2 AS k_id, NULL AS context_json, 'x' AS Mixed_Case, 'first' AS twice, 'second' AS twice"
                ))
            #expect(row.value("id") == "a")
            #expect(row.value("k_id") == 2)
            #expect((row.value("context_json") as String?) == nil)
            #expect(row.value("mixed_case") == "x")
            #expect(row.value("MIXED_CASE") == "x")
            #expect(row.value("twice") == "first")
            #expect((row.value("missing") as String?) == nil)
            #expect(try row.required("id") as String == "a")
            #expect(throws: (any Error).self) { try row.required("context_json") as String }
        }
    }
}
