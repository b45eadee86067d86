import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import Testing

/// Throwaway databases on the test PostgreSQL server (`SWITCHBOARD_TEST_POSTGRES_URL`; a missing variable fails
/// the test with the command that starts the server).
enum PostgresTestServer {
    static let variable = "SWITCHBOARD_TEST_POSTGRES_URL"

    /// Creates `sb_test_<uuid>`, runs `body` with its URL (`postgres://user@host:port/sb_test_…`), drops it.
    static func withDatabase<T>(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: (String) async throws -> T
    ) async throws -> T {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else {
            Issue.record(
                """
                \(variable) is not set: start the test server with `scripts/postgres-server.sh start` and export \
                \(variable)=postgres://switchboard@127.0.0.1:54329/switchboard
                """, sourceLocation: sourceLocation)
            throw TestFailure("\(variable) is not set")
        }
        let server = try PostgresDatabaseURL(parsing: text)
        let name = "sb_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administer(server, "CREATE DATABASE \(name)")
        let password = server.password.map { ":" + $0 } ?? ""
        let url = "postgres://\(server.username)\(password)@\(server.host):\(server.port)/\(name)"
        do {
            let result = try await body(url)
            try await administer(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    private static func administer(_ server: PostgresDatabaseURL, _ sql: String) async throws {
        var logger = Logger(label: "test.postgres.admin")
        logger.logLevel = .error
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
