import Foundation
import Logging
import PostgresNIO

/// One PostgreSQL connection, opened on first use and opened again after it failed. Queries on it run one
/// after another, which is what NOTIFY and the small `cluster_leader` reads need.
actor ClusterConnection {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextID = 0

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `work` on the open connection (opening it first); a failure closes it so the next call reconnects.
    func run<T: Sendable>(
        within timeout: Duration = .seconds(5), _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await open()
        do {
            return try await withTimeout(timeout) { try await work(connection) }
        } catch {
            self.connection = nil
            try? await connection.close()
            throw error
        }
    }

    func close() async {
        let connection = self.connection
        self.connection = nil
        try? await connection?.close()
    }

    private func open() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        nextID += 1
        let opened = try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
        // Another call may have opened one while this one connected: keep that, close this (a connection must be
        // closed before it is released).
        if let connection, !connection.isClosed {
            try? await opened.close()
            return connection
        }
        let replaced = connection
        connection = opened
        try? await replaced?.close()
        return opened
    }
}

/// Thrown by ``withTimeout(_:_:)`` when the work did not finish in time.
struct ClusterTimeout: Error, CustomStringConvertible {
    var description: String { "the PostgreSQL query did not answer in time" }
}

/// Runs `work`, or throws ``ClusterTimeout`` once `timeout` passed (the work is cancelled).
func withTimeout<T: Sendable>(
    _ timeout: Duration, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw ClusterTimeout()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw ClusterTimeout() }
        return first
    }
}
