import Foundation
import GRDB
import Storage
import Switchboard

/// Line 4: `importContacts` in batches into a SQLite file, then lookups by mobile number
/// (`store.contacts(mobilePhoneE164:)`), against raw GRDB on the same schema in the same run: prepared inserts,
/// one transaction per batch, into a fresh file; prepared indexed lookups on the store's file.
struct ContactsBenchmark {
    var contacts = 1_000_000
    var batch = 10_000
    var lookups = 20_000
    /// Rows the raw insert ceiling writes (at most `contacts`): enough for a steady rate.
    var ceilingRows = 1_000_000

    struct Report {
        var contacts: Int
        var importPerSecond: Double
        var rawInsertPerSecond: Double
        var lookups: Samples
        var rawLookups: Samples
        var fileBytes: Int
    }

    static func contact(_ index: Int, createdAt: Date) -> Contact {
        // +447 and nine digits: ten million distinct numbers and more.
        let e164 = "+447\(String(format: "%09d", index))"
        return Contact(
            id: "ct-\(index)", name: "Customer \(index)", mobilePhone: e164, mobilePhoneE164: e164, region: "GB",
            createdAt: createdAt)
    }

    func run(log: (String) -> Void) async throws -> Report {
        let directory = try makeScratchDirectory("contacts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("contacts.sqlite").path
        let store = try SQLiteStore(path: path)
        let now = Date()

        var importSeconds = 0.0
        var start = 0
        while start < contacts {
            let rows = (start..<min(contacts, start + batch)).map { Self.contact($0, createdAt: now) }
            let began = ContinuousClock.now
            try await store.importContacts(rows)
            importSeconds += (ContinuousClock.now - began).seconds
            start += batch
            if start % 1_000_000 == 0 && contacts > 1_000_000 {
                log("contacts: \(start) imported")
            }
        }

        let rawInsertSeconds = try rawInsert(
            rows: min(ceilingRows, contacts), path: directory.appendingPathComponent("raw.sqlite").path, now: now)

        var generator = SystemRandomNumberGenerator()
        let numbers = (0..<lookups).map { _ in
            Self.contact(Int.random(in: 0..<contacts, using: &generator), createdAt: now).mobilePhoneE164
        }
        var lookupTimes: [Double] = []
        lookupTimes.reserveCapacity(lookups)
        for number in numbers {
            let began = ContinuousClock.now
            let found = try await store.contacts(mobilePhoneE164: number)
            lookupTimes.append((ContinuousClock.now - began).seconds)
            guard found.count == 1 else { throw BenchError("lookup of a stored number found \(found.count)") }
        }
        let rawLookups = try rawLookup(numbers, path: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Report(
            contacts: contacts, importPerSecond: Double(contacts) / importSeconds,
            rawInsertPerSecond: Double(min(ceilingRows, contacts)) / rawInsertSeconds,
            lookups: Samples(lookupTimes), rawLookups: rawLookups, fileBytes: size)
    }

    /// The store's own table and index, written by prepared statements in one transaction per batch.
    private func rawInsert(rows: Int, path: String, now: Date) throws -> Double {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(
                sql: """
                    CREATE TABLE contact (
                        id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, mobile_phone TEXT NOT NULL,
                        mobile_phone_e164 TEXT NOT NULL, region TEXT NOT NULL,
                        attributes TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL);
                    CREATE INDEX contact_by_e164 ON contact (mobile_phone_e164, created_at);
                    """)
        }
        let milliseconds = Int64(now.timeIntervalSince1970 * 1000)
        var seconds = 0.0
        var start = 0
        while start < rows {
            let contacts = (start..<min(rows, start + batch)).map { Self.contact($0, createdAt: now) }
            let began = ContinuousClock.now
            try queue.inTransaction { db in
                let statement = try db.cachedStatement(
                    sql:
                        "INSERT INTO contact (id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at) VALUES (?, ?, ?, ?, ?, '{}', ?)"
                )
                for contact in contacts {
                    try statement.execute(arguments: [
                        contact.id, contact.name, contact.mobilePhone, contact.mobilePhoneE164, contact.region,
                        milliseconds,
                    ])
                }
                return .commit
            }
            seconds += (ContinuousClock.now - began).seconds
            start += batch
        }
        return seconds
    }

    /// The same lookups as one prepared statement on one connection, rows read but not decoded into `Contact`.
    private func rawLookup(_ numbers: [String], path: String) throws -> Samples {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            let statement = try db.cachedStatement(
                sql:
                    "SELECT id, name, mobile_phone, mobile_phone_e164, region, attributes, created_at FROM contact WHERE mobile_phone_e164 = ? ORDER BY created_at, rowid"
            )
            var times: [Double] = []
            times.reserveCapacity(numbers.count)
            for number in numbers {
                let began = ContinuousClock.now
                let rows = try Row.fetchAll(statement, arguments: [number])
                times.append((ContinuousClock.now - began).seconds)
                guard rows.count == 1 else { throw BenchError("raw lookup found \(rows.count)") }
            }
            return Samples(times)
        }
    }
}
