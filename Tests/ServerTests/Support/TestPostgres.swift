import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import Testing

/// A throwaway database `sb_cluster_<uuid>` on the test server (`SWITCHBOARD_TEST_POSTGRES_URL`) for one test,
/// dropped afterwards (`WITH (FORCE)` ends the sessions a killed instance left).
enum TestPostgres {
    static let variable = "SWITCHBOARD_TEST_POSTGRES_URL"

    /// Runs `body` with the URL of a fresh database. Without the variable the test fails with how to set it.
    static func withDatabase<Result: Sendable>(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (String) async throws -> Result
    ) async throws -> Result {
        guard let server = ProcessInfo.processInfo.environment[variable], !server.isEmpty else {
            Issue.record(
                """
                \(variable) is not set: start the test server with `scripts/postgres-server.sh start` and export \
                \(variable)=postgres://switchboard@127.0.0.1:54329/switchboard
                """, sourceLocation: sourceLocation)
            throw TestFailure("\(variable) is not set")
        }
        let serverURL = try PostgresDatabaseURL(parsing: server)
        let name = "sb_cluster_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administer(serverURL, "CREATE DATABASE \(name)")
        var url = serverURL
        url.database = name
        let text =
            "postgres://\(url.username)\(url.password.map { ":\($0)" } ?? "")@\(url.host):\(url.port)/\(name)"
        do {
            let result = try await body(text)
            try? await administer(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// One statement on the server's own database, on a connection of its own.
    static func administer(_ server: PostgresDatabaseURL, _ sql: String) async throws {
        let logger = Logger(label: "test.postgres.admin")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: server.host, port: server.port, username: server.username, password: server.password,
                database: server.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
