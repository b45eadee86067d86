import Logging
import PostgresStorage
import Server
import Storage
import Switchboard

extension SwitchboardServer {
    /// Opens the store a `database` setting names (CONTRACT.md §2) for the duration of `body`: `sqlite:PATH`, or
    /// `postgres://user:password@host:port/db` (its connection pool runs while `body` runs and closes after it;
    /// the schema is migrated first).
    ///
    /// - Throws: ``SwitchboardError`` `invalid-request` (field `database`) for a setting that names no store,
    ///   `unavailable` when the database cannot be opened; whatever `body` throws.
    public static func withStore<T: Sendable>(
        _ database: String, logger: Logger, _ body: (any Store) async throws -> T
    ) async throws -> T {
        if PostgresDatabaseURL.isPostgresURL(database) {
            var postgresLogger = logger
            postgresLogger[metadataKey: "database"] = "postgres"
            return try await PostgresStore.withStore(url: database, logger: postgresLogger) { store in
                try await body(store)
            }
        }
        return try await body(try openStore(database))
    }

    /// Opens an SQLite store, `sqlite:PATH`. A PostgreSQL store has a lifetime (its pool): open it with
    /// ``withStore(_:logger:_:)``.
    public static func openStore(_ database: String) throws -> any Store {
        guard database.hasPrefix("sqlite:") else {
            throw SwitchboardError.invalidRequest(
                "database \"\(PostgresDatabaseURL.masked(String(database.prefix(40))))\" is not supported; use "
                    + "sqlite:PATH or postgres://user:password@host:port/database", field: "database")
        }
        return try SQLiteStore(path: String(database.dropFirst("sqlite:".count)))
    }

    /// Refuses a configuration a person must fix first (CONTRACT.md §1): names the key.
    public static func validate(_ configuration: Configuration) throws(SwitchboardError) {
        try ConfigurationCheck.validate(configuration)
    }
}
