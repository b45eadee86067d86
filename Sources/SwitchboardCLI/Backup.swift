import ArgumentParser
import Foundation
import Storage
import Switchboard

/// `switchboard backup FILE`: a consistent copy of the embedded SQLite database, taken while `serve` runs.
/// PostgreSQL has its own tools; a backup of it is refused (exit 2) with a pointer to `pg_dump`.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the embedded SQLite database to FILE while the gateway serves (PostgreSQL: use pg_dump).")

    @Argument(help: "Where to write the copy: a new file in a writable directory.") var file: String
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.loadValid()
        guard configuration.database.hasPrefix("sqlite:") else {
            printError(
                "error: database is PostgreSQL; back it up with PostgreSQL's own tools (pg_dump, or pg_basebackup "
                    + "for a physical copy): see README \"Backup and restore\"")
            throw ExitCode(2)
        }
        do {
            let report = try SQLiteBackup.copy(
                from: try SQLiteStore.path(fromURL: configuration.database), to: file)
            print("backed up \(report.pages) pages (\(report.bytes) bytes) to \(file)")
        } catch let error as SwitchboardError {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }
}
