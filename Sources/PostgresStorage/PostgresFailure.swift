import Foundation
import PostgresNIO
import Switchboard

/// How postgres-nio's errors become the store's: the database being out of reach (refused, closed, timed out,
/// shutting down, out of connections) is ``SwitchboardError`` `unavailable` (503, retry later); a statement the
/// server refused for another reason is a ``PostgresStatementError`` (a bug or a schema from another version).
enum PostgresFailure {
    /// SQLSTATE classes and codes that mean "not reachable now": connection exceptions (08), insufficient
    /// resources (53), operator intervention (57: shutdown, terminated backend, cannot connect now, statement
    /// timeout), system errors (58), a database that is gone (3D000), and a read-only server (25006: after a
    /// failover the old primary, or a standby, answers writes with it until clients reach the new primary).
    static func isUnavailableState(_ sqlState: String) -> Bool {
        let unavailableClasses = ["08", "53", "57", "58"]
        return unavailableClasses.contains(String(sqlState.prefix(2))) || sqlState == "3D000" || sqlState == "25006"
    }

    /// Deadlock (40P01) and serialization failure (40001): the transaction may simply be run again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server,
            let state = error.serverInfo?[.sqlState]
        else { return false }
        return state == "40P01" || state == "40001"
    }

    /// Errors a statement's preparation can end with (a transaction already failed, a syntax error, a missing
    /// table or column, a feature not supported): see ``PreparedSQL``.
    static func mayHaveFailedPreparation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server, let state = error.serverInfo?[.sqlState]
        else { return false }
        return state == "25P02" || state.hasPrefix("42") || state == "0A000"
    }

    /// The connection died under the statement (the server restarted, or ended the session): another connection
    /// may work at once.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .uncleanShutdown, .connectionError, .clientClosedConnection:
            return true
        case .server:
            // 57P01 admin_shutdown (terminated backend, fast shutdown), 57P02 crash_shutdown, 08xxx.
            let state = error.serverInfo?[.sqlState] ?? ""
            return state == "57P01" || state == "57P02" || state.hasPrefix("08")
        default:
            return false
        }
    }

    static func mapped(_ error: any Error, url: PostgresDatabaseURL) -> any Error {
        switch error {
        case let error as NotCommitted:
            return mapped(error.underlying, url: url)
        case is SwitchboardError, is StorageCorruption, is PostgresStatementError:
            return error
        case let error as PSQLError:
            if isRetryable(error) {
                // Still deadlocked after the transaction's retries: busy, try again later.
                return SwitchboardError.unavailable(
                    "database busy: \(url.host):\(url.port): \(describe(error)) after retrying")
            }
            if error.code == .server, let state = error.serverInfo?[.sqlState], !isUnavailableState(state) {
                return PostgresStatementError(
                    sqlState: state, message: error.serverInfo?[.message] ?? "",
                    detail: error.serverInfo?[.detail])
            }
            if error.code == .tooManyParameters || error.code == .messageDecodingFailure
                || error.code == .unexpectedBackendMessage || error.code == .invalidCommandTag
            {
                return PostgresStatementError(sqlState: nil, message: "\(error.code)", detail: nil)
            }
            return SwitchboardError.unavailable("database unavailable: \(url.host):\(url.port): \(describe(error))")
        case is PostgresDecodingError:
            return StorageCorruption(what: "a column does not decode: \(String(reflecting: error))")
        default:
            // ConnectionPoolError, NIO's channel and socket errors, the connection wait's timeout.
            return SwitchboardError.unavailable("database unavailable: \(url.host):\(url.port): \(describe(error))")
        }
    }

    /// What went wrong, without the query's parameters (they may hold personal data) or any password.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else {
            if let error = error as? SwitchboardError { return error.message }
            return "\(error)"
        }
        var text = "\(error.code)"
        if let info = error.serverInfo {
            if let state = info[.sqlState] { text += " \(state)" }
            if let message = info[.message] { text += ": \(message)" }
        } else if let underlying = error.underlying {
            // postgres-nio's own description is a placeholder; a nested PSQLError is described the same way.
            text += ": " + describe(underlying)
        }
        return text
    }
}

/// A statement the server refused for a reason other than being unreachable (a constraint, a type mismatch):
/// a bug or a database written by another version. Its description names the SQLSTATE and the server's message,
/// never the statement's parameters.
public struct PostgresStatementError: Error, CustomStringConvertible {
    public var sqlState: String?
    public var message: String
    public var detail: String?

    public var description: String {
        "PostgreSQL refused a statement: \(sqlState ?? "client") \(message)" + (detail.map { " (\($0))" } ?? "")
    }
}
