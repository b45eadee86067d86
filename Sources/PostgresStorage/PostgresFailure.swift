import Foundation
import PostgresNIO
import Switchboard

/// How postgres-nio's errors become the store's: the database being out of reach (refused, closed, timed out,
/// shutting down, out of connections) is ``SwitchboardError`` `unavailable` (503, retry later); a statement the
/// server refused for another reason is a ``PostgresStatementError`` (a bug or a schema from another version).
enum PostgresFailure {
    /// SQLSTATE classes and codes that mean "not reachable now": connection exceptions (08), insufficient
    /// resources (53), operator intervention (57: shutdown, terminated backend, cannot connect now), system errors
    /// (58), a database that is gone (3D000) or refuses connections (55000 on connect).
    static func isUnavailableState(_ sqlState: String) -> Bool {
        let unavailableClasses = ["08", "53", "57", "58"]
        return unavailableClasses.contains(String(sqlState.prefix(2))) || sqlState == "3D000"
    }

    /// Deadlock (40P01) and serialization failure (40001): the transaction may simply be run again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server,
            let state = error.serverInfo?[.sqlState]
        else { return false }
        return state == "40P01" || state == "40001"
    }

    static func mapped(_ error: any Error, url: PostgresDatabaseURL) -> any Error {
        switch error {
        case is SwitchboardError, is StorageCorruption, is PostgresStatementError:
            return error
        case let error as PSQLError:
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
            text += ": \(underlying)"
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
