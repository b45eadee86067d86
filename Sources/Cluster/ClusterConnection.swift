import Foundation
import Logging
import PostgresNIO
import Synchronization

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
            _ = try? await withTimeout(.seconds(2)) { try await connection.close() }
            throw error
        }
    }

    func close() async {
        guard let connection = self.connection else { return }
        self.connection = nil
        _ = try? await withTimeout(.seconds(2)) { try await connection.close() }
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

/// Runs `work`, or throws ``ClusterTimeout`` once `timeout` passed (the work is then cancelled, and left behind
/// if it ignores that). Not a task group: a group waits for every child, and a query on a connection the server
/// ended can stay pending, which would hold the caller (the leader's lock check) forever.
func withTimeout<T: Sendable>(
    _ timeout: Duration, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = TimeoutRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(
                continuation,
                worker: Task {
                    do { race.finish(.success(try await work())) } catch { race.finish(.failure(error)) }
                },
                timer: Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    race.finish(.failure(ClusterTimeout()))
                })
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The work and the timer of ``withTimeout(_:_:)``: the first to finish resumes the caller and cancels the other.
private final class TimeoutRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        /// Set when it finished before it started (cancelled at once).
        var early: Result<T, any Error>?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, worker: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            state.tasks = [worker, timer]
            return nil
        }
        if let early {
            worker.cancel()
            timer.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state in
            guard let continuation = state.continuation else {
                if state.tasks.isEmpty, state.early == nil { state.early = result }
                return (CheckedContinuation<T, any Error>?.none, [Task<Void, Never>]())
            }
            state.continuation = nil
            return (continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}
