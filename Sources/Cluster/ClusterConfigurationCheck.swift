import Foundation
import PostgresStorage
import Switchboard

/// What a cluster needs of the configuration (CONTRACT.md §1: each failure names the key).
public enum ClusterConfigurationCheck {
    /// With PostgreSQL several instances may share the database: they need a shared `cluster.secret` and an
    /// address the others can reach (`cluster.advertiseURL`, or a `listen.host` that is not a wildcard).
    public static func validate(_ configuration: Configuration) throws(SwitchboardError) {
        if let url = configuration.cluster.advertiseURL {
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
                parsed.host != nil
            else {
                throw .invalidRequest(
                    "cluster.advertiseURL \"\(url)\" must be scheme://host:port", field: "cluster.advertiseURL")
            }
        }
        guard PostgresDatabaseURL.isPostgresURL(configuration.database) else { return }
        guard let secret = configuration.cluster.secret, !secret.isEmpty else {
            throw .invalidRequest(
                "cluster.secret is required with a PostgreSQL database: instances use it to call each other",
                field: "cluster.secret")
        }
        if configuration.cluster.advertiseURL == nil,
            ["0.0.0.0", "::", "[::]", ""].contains(configuration.listen.host)
        {
            throw .invalidRequest(
                "cluster.advertiseURL is required with a PostgreSQL database when listen.host is "
                    + "\"\(configuration.listen.host)\": other instances need an address that reaches this one",
                field: "cluster.advertiseURL")
        }
    }
}
