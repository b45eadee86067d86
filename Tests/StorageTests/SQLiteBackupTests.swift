import Foundation
import GRDB
import Storage
import Switchboard
import Testing

/// `switchboard backup`: a consistent online copy of the SQLite database while writes go on.
@Suite("SQLite backup", .timeLimit(.minutes(1)))
struct SQLiteBackupTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func record(_ index: Int) -> InboundRecord {
        InboundRecord(
            channelID: "sms", dedupeKey: "SM\(index)", providerMessageID: "SM\(index)",
            customerPhone: "+1415555\(String(format: "%04d", index))", customerIsPhoneNumber: true, medium: .sms,
            queue: "default", text: "message \(index)", receivedAt: Date())
    }

    /// The copy is one snapshot: taken while messages keep arriving, every message in it has its dedupe key and
    /// its conversation (they are written in one transaction), and it passes SQLite's integrity check.
    @Test func aCopyTakenWhileWritesGoOnIsASnapshot() async throws {
        let store = try SQLiteStore(path: path("live.sqlite"))
        for index in 0..<200 { _ = try await store.recordInbound(Self.record(index)) }
        let writing = Task {
            for index in 200..<600 { _ = try await store.recordInbound(Self.record(index)) }
        }
        try await Task.sleep(for: .milliseconds(5))
        let report = try SQLiteBackup.copy(from: path("live.sqlite"), to: path("copy.sqlite"))
        try await writing.value
        #expect(report.pages > 0 && report.bytes > 0)

        let copy = try DatabaseQueue(path: path("copy.sqlite"))
        let (messages, keys, conversations, check) = try await copy.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dedupe_key WHERE kind = 'inbound'") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversation") ?? -1,
                try String.fetchOne(db, sql: "PRAGMA integrity_check")
            )
        }
        #expect(messages >= 200 && messages <= 600)
        #expect(keys == messages && conversations == messages)
        #expect(check == "ok")
        // The copy opens as a store: the schema came along.
        let restored = try SQLiteStore(path: path("copy.sqlite"))
        #expect(try await restored.conversations(matching: .init(limit: 1000)).count == messages)
    }

    @Test func anExistingFileOrAnUnwritableDirectoryIsRefusedNamingThePath() throws {
        _ = try SQLiteStore(path: path("live.sqlite"))
        try Data("keep me".utf8).write(to: directory.appendingPathComponent("taken.sqlite"))
        #expect(throws: SwitchboardError.self) {
            try SQLiteBackup.copy(from: path("live.sqlite"), to: path("taken.sqlite"))
        }
        #expect(try String(contentsOfFile: path("taken.sqlite"), encoding: .utf8) == "keep me")
        let missing = path("no-such-directory/copy.sqlite")
        do {
            try SQLiteBackup.copy(from: path("live.sqlite"), to: missing)
            Issue.record("a backup into a missing directory succeeded")
        } catch let error as SwitchboardError {
            #expect(error.message.contains(missing))
        }
    }
}
