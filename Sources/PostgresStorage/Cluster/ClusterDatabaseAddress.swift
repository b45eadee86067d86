import Foundation
import PostgresNIO
import Switchboard

/// The connection settings of the cluster's own connections (leader lock, LISTEN, NOTIFY), read from the
/// `database` setting as the store reads it (``PostgresDatabaseURL``, TLS included).
package enum ClusterDatabaseAddress {
    package static func configuration(_ url: String) throws -> PostgresConnection.Configuration {
        let parsed = try PostgresDatabaseURL(parsing: url)
        var configuration = PostgresConnection.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.username, password: parsed.password,
            database: parsed.database, tls: try parsed.connectionTLS())
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
