import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import Switchboard

/// A cluster session PostgreSQL (or the network) ended.
enum ClusterSessionClosed: Error, CustomStringConvertible {
    case lockClosed
    case listenClosed

    var description: String {
        switch self {
        case .lockClosed: "the session holding the leader lock was closed"
        case .listenClosed: "the LISTEN session was closed"
        }
    }
}

/// The leader of a cluster as its `cluster_leader` row names it.
public struct ClusterLeader: Sendable, Equatable {
    /// The leader's advertised base URL.
    public var url: String
    /// Grows by one at each election, so a leader elected again at the same URL (a restart) is still new.
    public var term: Int64
}

/// PostgreSQL coordination of gateway instances sharing one database (README "Scaling out"):
/// leader election through a session advisory lock, the `cluster_leader` row naming the leader, and the
/// `switchboard_cluster` / `switchboard_agent_events` notification channels.
public final class PostgresCluster: Sendable {
    /// The advisory lock the leader holds ("SWBDLEAD").
    public static let leaderLockKey: Int64 = 0x5357_4244_4C45_4144
    public static let leaderChannel = "switchboard_cluster"
    public static let agentEventChannel = "switchboard_agent_events"

    let configuration: PostgresConnection.Configuration
    let logger: Logger
    /// Reads `cluster_leader` and sends NOTIFY.
    private let queries: ClusterConnection

    public init(databaseURL: String, logger: Logger) throws {
        configuration = try ClusterDatabaseAddress.configuration(databaseURL)
        self.logger = logger
        queries = ClusterConnection(configuration: configuration, logger: logger)
    }

    // MARK: Election

    /// The leader lock, held by its connection for as long as that connection lives.
    public struct LeaderLock: Sendable {
        let connection: PostgresConnection
    }

    /// Campaigns until cancelled, starting with `held` when the caller already holds the lock (and published
    /// itself). Every second tries `pg_try_advisory_lock` on a connection of its own; once the lock is held,
    /// awaits `elected` (the caller takes over), publishes `advertiseURL` as the leader and checks the lock's
    /// connection every second. When that check fails, the connection is dropped (so the lock is released if
    /// PostgreSQL still held it), `deposed` is awaited and the campaign goes on. Cancelling while leading awaits
    /// `deposed` too and closes the connection, which releases the lock.
    public func campaign(
        advertiseURL: String, held: LeaderLock? = nil, elected: @Sendable () async -> Void,
        deposed: @Sendable () async -> Void
    ) async {
        var held = held
        while !Task.isCancelled {
            if held == nil, let lock = await acquireLock() {
                await elected()
                do {
                    try await publish(lock, advertiseURL: advertiseURL)
                    held = lock
                } catch {
                    logger.error("cluster: publishing this instance as the leader failed, stepping down: \(error)")
                    await deposed()
                    await release(lock)
                }
            }
            if let lock = held {
                await hold(lock)
                await deposed()
                await release(lock)
                held = nil
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// A connection holding the leader lock, or nil (the lock is someone else's, or the database is down).
    public func acquireLock() async -> LeaderLock? {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        } catch {
            logger.debug("cluster: cannot reach PostgreSQL to campaign for leader: \(error)")
            return nil
        }
        do {
            let key = Self.leaderLockKey
            let held = try await withTimeout(.seconds(5)) {
                let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: self.logger)
                for try await (locked) in rows.decode(Bool.self) { return locked }
                return false
            }
            if held { return LeaderLock(connection: connection) }
        } catch {
            logger.debug("cluster: trying the leader lock failed: \(error)")
        }
        try? await connection.close()
        return nil
    }

    /// Gives up the lock (its connection closes); for a caller that took it but will not campaign.
    public func release(_ lock: LeaderLock) async {
        let connection = lock.connection
        _ = try? await withTimeout(.seconds(2)) { try await connection.close() }
    }

    /// Checks the lock's connection every second until it fails or the task is cancelled.
    private func hold(_ lock: LeaderLock) async {
        while !Task.isCancelled {
            do {
                // A session the server ended is closed at once; one that went silent fails the query in time.
                if lock.connection.isClosed { throw ClusterSessionClosed.lockClosed }
                _ = try await withTimeout(.seconds(3)) {
                    try await lock.connection.query("SELECT 1", logger: self.logger)
                }
            } catch {
                if !Task.isCancelled {
                    logger.error("cluster: the leader lock's connection failed, stepping down: \(error)")
                }
                return
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Creates `cluster_leader` (only the lock holder does, so two instances never race on it), names this
    /// instance in it with the next term, and tells every instance.
    public func publish(_ lock: LeaderLock, advertiseURL url: String) async throws {
        let connection = lock.connection
        try await withTimeout(.seconds(5)) {
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS cluster_leader (
                    id integer PRIMARY KEY, url text NOT NULL, term bigint NOT NULL, elected_at timestamptz NOT NULL)
                """, logger: self.logger)
            try await connection.query(
                """
                INSERT INTO cluster_leader (id, url, term, elected_at) VALUES (1, \(url), 1, now())
                ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, term = cluster_leader.term + 1, elected_at = now()
                """, logger: self.logger)
            let channel = Self.leaderChannel
            try await connection.query("SELECT pg_notify(\(channel), \(url))", logger: self.logger)
        }
    }

    // MARK: Leader row and notifications

    /// The leader the `cluster_leader` row names; nil before the first election.
    public func leader() async throws -> ClusterLeader? {
        try await queries.run { connection in
            let exists = try await connection.query(
                "SELECT to_regclass('cluster_leader') IS NOT NULL", logger: self.logger)
            for try await (present) in exists.decode(Bool.self) where !present { return nil }
            let rows = try await connection.query(
                "SELECT url, term FROM cluster_leader WHERE id = 1", logger: self.logger)
            for try await (url, term) in rows.decode((String, Int64).self) {
                return ClusterLeader(url: url, term: term)
            }
            return nil
        }
    }

    /// `NOTIFY switchboard_agent_events, '<agentID> <sequence>'`: the agent's log has a new event. A failure is
    /// logged only: listeners catch up from the log every second anyway.
    public func notifyAgentEvent(agentID: String, sequence: Int64) async {
        let channel = Self.agentEventChannel
        let payload = "\(agentID) \(sequence)"
        do {
            _ = try await queries.run { connection in
                try await connection.query("SELECT pg_notify(\(channel), \(payload))", logger: self.logger)
            }
        } catch {
            logger.warning("cluster: NOTIFY of an event of agent \(agentID) failed: \(error)")
        }
    }

    /// Listens on both channels until cancelled, on a connection of its own that is opened again (after a
    /// second) when it fails. `connected` runs after each (re)connection: notifications sent while it was
    /// down are lost, so the caller catches up then.
    public func listen(
        connected: @escaping @Sendable () async -> Void, leaderChanged: @escaping @Sendable () async -> Void,
        agentEvent: @escaping @Sendable (_ agentID: String, _ sequence: Int64) async -> Void
    ) async {
        var attempt = 1000
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: attempt, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.leaderChannel) { leaders in
                    try await connection.listen(on: Self.agentEventChannel) { events in
                        await connected()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await _ in leaders { await leaderChanged() }
                                throw CancellationError()
                            }
                            group.addTask {
                                for try await notification in events {
                                    let payload = notification.payload
                                    guard let space = payload.lastIndex(of: " "),
                                        let sequence = Int64(payload[payload.index(after: space)...])
                                    else { continue }
                                    await agentEvent(String(payload[..<space]), sequence)
                                }
                                throw CancellationError()
                            }
                            // A session the server ended may leave the sequences waiting: look every second.
                            group.addTask {
                                while !connection.isClosed { try await Task.sleep(for: .seconds(1)) }
                                throw ClusterSessionClosed.listenClosed
                            }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            } catch {
                if !Task.isCancelled { logger.warning("cluster: LISTEN connection failed, reconnecting: \(error)") }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Closes the query connection (shutdown).
    public func close() async {
        await queries.close()
    }
}
