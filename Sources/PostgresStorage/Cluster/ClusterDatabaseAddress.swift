import Foundation
import PostgresNIO
import Switchboard

/// Reads the `database` setting `postgres://user[:password]@host[:port]/database` into the connection settings
/// of the cluster's own connections (leader lock, LISTEN, NOTIFY). TLS is not used: the database is expected
/// on a private network, as the store's connections are.
public enum ClusterDatabaseAddress {
    public static func configuration(_ url: String) throws(SwitchboardError) -> PostgresConnection.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty
        else {
            throw .invalidRequest("database must be postgres://user:pass@host:port/db", field: "database")
        }
        let user = components.user?.removingPercentEncoding ?? components.user ?? "postgres"
        let password = components.password.map { $0.removingPercentEncoding ?? $0 }
        var database = components.path
        while database.hasPrefix("/") { database.removeFirst() }
        var configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
