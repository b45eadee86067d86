import Foundation
import Switchboard
import Testing

/// `<key>File` secrets, `SWITCHBOARD_<PATH>_FILE` and the config file's path (CONTRACT.md §1–2), over an
/// in-memory file system.
@Suite("Configuration: secrets from files, the config file's path")
struct ConfigurationSecretFilesTests {
    static let files: [String: String] = [
        "/run/secrets/admin": "admin-secret-1234\n",
        "/run/secrets/db": "postgres://sb:pw@db:5432/sb\n",
        "/run/secrets/router": "router-secret",
        "/run/secrets/core": "core-token\n",
        "/run/secrets/cluster": "cluster-secret\r\n",
        "/run/secrets/alice": "alice-token\n\n",
        "/run/secrets/twilio": "twilio-auth-token\n",
        "/run/secrets/sid": "AC123",
    ]

    func load(
        _ config: String, environment: [String: String] = [:]
    ) throws(SwitchboardError)
        -> ConfigurationLoader.Loaded
    {
        var files = Self.files
        files["/etc/switchboard.json"] = config
        return try ConfigurationLoader.load(path: "/etc/switchboard.json", environment: environment) { path in
            files[path].map { Data($0.utf8) }
        }
    }

    func failure(_ config: String, environment: [String: String] = [:]) -> String? {
        do {
            _ = try load(config, environment: environment)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func everySecretMayComeFromAFileWithOneTrailingNewlineRemoved() throws {
        let loaded = try load(
            """
            {"adminTokenFile": "/run/secrets/admin", "databaseFile": "/run/secrets/db",
             "router": {"mode": "remote", "url": "https://core.example.com", "secretFile": "/run/secrets/router",
                        "tokenFile": "/run/secrets/core"},
             "cluster": {"secretFile": "/run/secrets/cluster"},
             "agents": [{"id": "alice", "tokenFile": "/run/secrets/alice"}, {"id": "bob", "token": "bob-token"}],
             "channels": [{"id": "t", "provider": "twilio",
                           "credentials": {"accountSIDFile": "/run/secrets/sid", "authTokenFile": "/run/secrets/twilio"}}]}
            """)
        let configuration = loaded.configuration
        #expect(configuration.adminToken == "admin-secret-1234")
        #expect(configuration.database == "postgres://sb:pw@db:5432/sb")
        #expect(configuration.router.secret == "router-secret")
        #expect(configuration.cluster.secret == "cluster-secret")
        #expect(configuration.agents.map(\.token) == ["alice-token\n", "bob-token"])
        #expect(configuration.channels.first?.credentials == ["accountSID": "AC123", "authToken": "twilio-auth-token"])
        #expect(loaded.warnings.isEmpty)
    }

    @Test func anUnreadableFileIsAnErrorNamingTheKeyAndThePath() {
        let message = failure(
            #"{"channels": [{"id": "t", "provider": "twilio", "credentials": {"authTokenFile": "/run/secrets/none"}}]}"#
        )
        #expect(message?.contains("channels[0].credentials.authTokenFile") == true, "\(message ?? "no error")")
        #expect(message?.contains("/run/secrets/none") == true)
        let agent = failure(#"{"agents": [{"id": "a"}, {"id": "b", "tokenFile": "/nowhere"}]}"#)
        #expect(agent?.contains("agents[1].tokenFile") == true, "\(agent ?? "no error")")
        let admin = failure(#"{"adminTokenFile": "/nowhere"}"#)
        #expect(admin?.contains("adminTokenFile") == true && admin?.contains("/nowhere") == true)
        let notAPath = failure(#"{"cluster": {"secretFile": 42}}"#)
        #expect(notAPath?.contains("cluster.secretFile") == true, "\(notAPath ?? "no error")")
    }

    @Test func bothFormsOfAKeyAreAnErrorNamingBoth() {
        let message = failure(#"{"adminToken": "x", "adminTokenFile": "/run/secrets/admin"}"#)
        #expect(message?.contains("adminToken and adminTokenFile") == true, "\(message ?? "no error")")
        let credential = failure(
            #"{"channels": [{"id": "t", "provider": "twilio", "credentials": {"authToken": "x", "authTokenFile": "/run/secrets/twilio"}}]}"#
        )
        #expect(
            credential?.contains("channels[0].credentials.authToken and channels[0].credentials.authTokenFile")
                == true, "\(credential ?? "no error")")
        let router = failure(#"{"router": {"secret": "x", "secretFile": "/run/secrets/router"}}"#)
        #expect(router?.contains("router.secret and router.secretFile") == true, "\(router ?? "no error")")
    }

    @Test func environmentOverridesMayReadTheirValueFromAFile() throws {
        let loaded = try load(
            #"{"adminTokenFile": "/run/secrets/router"}"#,
            environment: [
                "SWITCHBOARD_ADMINTOKEN_FILE": "/run/secrets/admin", "SWITCHBOARD_DATABASE_FILE": "/run/secrets/db",
                "SWITCHBOARD_CONFIG": "/etc/switchboard.json",
            ])
        #expect(loaded.configuration.adminToken == "admin-secret-1234")
        #expect(loaded.configuration.database == "postgres://sb:pw@db:5432/sb")
        #expect(loaded.warnings.isEmpty, "SWITCHBOARD_CONFIG is not a setting but is no stray variable either")
        let message = failure("{}", environment: ["SWITCHBOARD_ADMINTOKEN_FILE": "/nowhere"])
        #expect(message?.contains("SWITCHBOARD_ADMINTOKEN_FILE") == true && message?.contains("/nowhere") == true)
    }

    @Test func theConfigFileIsTheOptionElseTheVariableElseTheDefaultFileIfPresent() {
        let environment = ["SWITCHBOARD_CONFIG": "/etc/from-env.json"]
        #expect(
            ConfigurationLoader.path(option: "given.json", environment: environment, fileExists: { _ in true })
                == "given.json")
        #expect(
            ConfigurationLoader.path(option: nil, environment: environment, fileExists: { _ in true })
                == "/etc/from-env.json")
        #expect(
            ConfigurationLoader.path(option: nil, environment: ["SWITCHBOARD_CONFIG": ""], fileExists: { _ in true })
                == "switchboard.json")
        #expect(ConfigurationLoader.path(option: nil, environment: [:], fileExists: { _ in false }) == nil)
    }
}
