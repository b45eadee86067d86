import Foundation
import GRDB
import Switchboard

/// `switchboard backup FILE`: a consistent copy of the embedded SQLite database while a gateway serves from it
/// (CONTRACT.md §1, §12), through SQLite's online backup API. The copy is one read transaction's snapshot (WAL lets
/// the gateway go on writing meanwhile), written to a new file in one step and checked with `integrity_check`.
public enum SQLiteBackup {
    /// What a backup copied.
    public struct Report: Sendable, Equatable {
        public var pages: Int
        public var bytes: Int
    }

    /// Copies the database at `sourcePath` to `destinationPath`, which must not exist yet.
    ///
    /// - Throws: ``SwitchboardError`` naming the path: `invalid-request` when the destination exists or its
    ///   directory is missing or not writable, `unavailable` when the source cannot be read or SQLite fails.
    @discardableResult
    public static func copy(from sourcePath: String, to destinationPath: String) throws -> Report {
        let files = FileManager.default
        guard files.fileExists(atPath: sourcePath) else {
            throw SwitchboardError.unavailable("database \(sourcePath) does not exist; nothing to back up")
        }
        guard !files.fileExists(atPath: destinationPath) else {
            throw SwitchboardError.invalidRequest(
                "\(destinationPath) exists already; a backup is written to a new file", field: "FILE")
        }
        let directory = (destinationPath as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        guard files.isWritableFile(atPath: folder) else {
            throw SwitchboardError.invalidRequest(
                "cannot write \(destinationPath): its directory \(folder) is missing or not writable", field: "FILE")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        do {
            let source = try DatabasePool(path: sourcePath, configuration: configuration)
            let destination = try DatabaseQueue(path: destinationPath)
            var pages = 0
            try source.backup(to: destination) { progress in pages = progress.totalPageCount }
            let check = try destination.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
            guard check == "ok" else {
                throw SwitchboardError.unavailable(
                    "the copy at \(destinationPath) fails integrity_check: \(check ?? "")")
            }
            try destination.close()
            let bytes = (try? files.attributesOfItem(atPath: destinationPath)[.size] as? Int) ?? 0
            return Report(pages: pages, bytes: bytes)
        } catch let error as DatabaseError {
            try? files.removeItem(atPath: destinationPath)
            throw SwitchboardError.unavailable(
                "backing up \(sourcePath) to \(destinationPath) failed: \(error.resultCode) \(error.message ?? "")")
        }
    }
}
