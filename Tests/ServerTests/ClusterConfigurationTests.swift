import Foundation
import GatewayAssembly
import Providers
import Server
import Switchboard
import Testing

/// `cluster` settings: required with PostgreSQL, ignored with SQLite, overridable from the environment, masked.
@Suite("Cluster configuration")
struct ClusterConfigurationTests {
    static let database = "postgres://switchboard@127.0.0.1:54329/switchboard"

    @Test func postgresNeedsTheClusterSecret() {
        let configuration = Configuration(database: Self.database)
        #expect(throws: SwitchboardError.self) { try SwitchboardServer.validate(configuration) }
        do {
            try SwitchboardServer.validate(configuration)
        } catch {
            #expect(error.field == "cluster.secret" && error.message.contains("cluster.secret"))
        }
        #expect(throws: Never.self) {
            try SwitchboardServer.validate(Configuration(database: "sqlite:/tmp/x.sqlite"))
        }
    }

    @Test func aWildcardListenAddressNeedsAnAdvertisedURL() throws {
        var configuration = Configuration(
            listen: .init(host: "0.0.0.0", port: 8081), database: Self.database, cluster: .init(secret: "s"))
        do {
            try SwitchboardServer.validate(configuration)
            Issue.record("0.0.0.0 without cluster.advertiseURL was accepted")
        } catch {
            #expect(error.field == "cluster.advertiseURL")
        }
        configuration.cluster.advertiseURL = "http://10.0.0.5:8081/"
        try SwitchboardServer.validate(configuration)
        #expect(configuration.advertiseURL == "http://10.0.0.5:8081")
        #expect(
            Configuration(listen: .init(host: "127.0.0.1", port: 8082)).advertiseURL == "http://127.0.0.1:8082")
    }

    @Test func theEnvironmentSetsBothAndCheckConfigMasksTheSecret() throws {
        let loaded = try ConfigurationLoader.load(
            path: nil,
            environment: [
                "SWITCHBOARD_DATABASE": Self.database,
                "SWITCHBOARD_CLUSTER_ADVERTISEURL": "http://10.0.0.7:8081",
                "SWITCHBOARD_CLUSTER_SECRET": "cluster-secret-abcd",
            ])
        #expect(loaded.warnings.isEmpty)
        #expect(
            loaded.configuration.cluster == .init(advertiseURL: "http://10.0.0.7:8081", secret: "cluster-secret-abcd"))
        let masked = try ConfigurationLoader.maskedJSON(
            loaded.configuration, secretCredentialKeys: ProviderRegistry.secretCredentialKeys)
        #expect(!masked.contains("cluster-secret-abcd") && masked.contains("***abcd"))
        #expect(masked.contains("http://10.0.0.7:8081"))
    }
}
