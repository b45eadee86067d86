import Foundation
import PostgresNIO
import Switchboard

/// A `database` setting naming a PostgreSQL database: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (`postgresql://` is accepted too). User and password may be percent-encoded.
///
/// `sslmode`: `disable` (plain TCP), `prefer` (TLS when the server offers it, certificate not verified),
/// `require` (TLS, certificate not verified, as libpq's `require`), `verify-full` (TLS, certificate and host name
/// verified against the system's trust roots). Without it: `disable` for a loopback host (127.0.0.0/8, ::1,
/// localhost), else `prefer`.
///
/// Its ``description`` never shows the password.
public struct PostgresDatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    /// Kept out of ``description``.
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    public init(
        host: String, port: Int = 5432, username: String, password: String?, database: String, sslMode: SSLMode? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode ?? (Self.isLoopback(host) ? .disable : .prefer)
    }

    /// Whether a `database` setting is a PostgreSQL URL (`postgres://` or `postgresql://`).
    public static func isPostgresURL(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// Parses a `database` setting.
    ///
    /// - Throws: ``SwitchboardError`` `invalid-request` (field `database`) naming what is wrong; the message
    ///   never contains the password.
    public init(parsing url: String) throws {
        func invalid(_ problem: String) -> SwitchboardError {
            .invalidRequest(
                "database \(Self.masked(url)): \(problem); expected postgres://user:password@host:port/database",
                field: "database")
        }
        guard Self.isPostgresURL(url) else { throw invalid("not a postgres:// URL") }
        guard let components = URLComponents(string: url) else { throw invalid("not a valid URL") }
        guard let host = components.host, !host.isEmpty else { throw invalid("names no host") }
        guard let username = components.user, !username.isEmpty else { throw invalid("names no user") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is out of range") }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard !database.isEmpty else { throw invalid("names no database (the path after the port)") }
        guard !database.contains("/") else { throw invalid("database name \(database) contains a slash") }
        var sslMode: SSLMode?
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw invalid("unknown parameter \(item.name); only sslmode is understood")
            }
            guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                throw invalid(
                    "sslmode \(item.value ?? "") is not one of "
                        + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            sslMode = mode
        }
        // URLComponents keeps IPv6 hosts in brackets.
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.init(
            host: bareHost, port: port, username: username, password: components.password, database: database,
            sslMode: sslMode)
    }

    /// `postgres://user@host:port/database?sslmode=…`, without the password.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(hostText):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// The setting with its password replaced by `***` (for messages about a URL that may not parse).
    public static func masked(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://")?.upperBound, let at = url[schemeEnd...].lastIndex(of: "@")
        else { return url }
        let userInfo = url[schemeEnd..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The TLS settings of the pool's connections.
    func clientTLS() -> PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: return .disable
        case .prefer: return .prefer(Self.unverifiedTLS())
        case .require: return .require(Self.unverifiedTLS())
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }

    /// The TLS settings of a single connection (migrations).
    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch sslMode {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: Self.unverifiedTLS()))
        case .require: return .require(try NIOSSLContext(configuration: Self.unverifiedTLS()))
        case .verifyFull: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    private static func unverifiedTLS() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
