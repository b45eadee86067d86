import ArgumentParser
import Foundation
import GatewayAssembly
import Logging
import Providers
import Server
import Switchboard

struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "SMS/voice gateway adapter for contact centers.",
        version: "switchboard \(SwitchboardVersion.current)",
        subcommands: [Serve.self, Replay.self, CheckConfig.self, Contacts.self, Send.self, Backup.self]
    )
}

/// The `switchboard` executable: parses the command line, sets up logging (`LOG_LEVEL`, `LOG_FORMAT`) and runs
/// the command. Every usage error exits 2 (CONTRACT.md §1), also those the argument parser finds itself
/// (unknown option or subcommand, missing or bad value), which it would exit 64 (`EX_USAGE`) with.
@main
enum SwitchboardMain {
    static func main() async {
        do {
            var command = try SwitchboardCommand.parseAsRoot()
            let logging: LogSettings
            do {
                logging = try LogSettings(environment: ProcessInfo.processInfo.environment)
            } catch {
                printError("error: \(error.message)")
                throw ExitCode(usageErrorStatus)
            }
            logging.bootstrap()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Exits as the argument parser would, except that a usage error exits 2, its message on standard error.
    static func exit(withError error: any Error) -> Never {
        if SwitchboardCommand.exitCode(for: error) == .validationFailure {
            printError(SwitchboardCommand.fullMessage(for: error))
            SwitchboardCommand.exit(withError: ExitCode(usageErrorStatus))
        }
        SwitchboardCommand.exit(withError: error)
    }

    /// The exit status of a usage or config error.
    static let usageErrorStatus: Int32 = 2
}

/// `--config FILE`, shared by every command.
struct ConfigOption: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Configuration file (default: $SWITCHBOARD_CONFIG, else ./switchboard.json if present, else built-in defaults)."
    )
    var config: String?

    /// The effective configuration; a usage or config error exits 2 naming the problem.
    func load() throws -> Configuration {
        do {
            return try source()()
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(2)
        }
    }

    /// Reads the effective configuration (the file, `SWITCHBOARD_*` overrides, secret files) each time it is
    /// called: at start and at each reload (CONTRACT.md §12), which reads it exactly as `check-config` does.
    func source() -> @Sendable () throws(SwitchboardError) -> Configuration {
        let environment = ProcessInfo.processInfo.environment
        let path = ConfigurationLoader.path(option: config, environment: environment)
        return { () throws(SwitchboardError) -> Configuration in
            let loaded = try ConfigurationLoader.load(path: path, environment: environment)
            // Through the logger, so that `LOG_FORMAT=json` keeps every line of the process JSON.
            let logger = Logger(label: "switchboard.config")
            for warning in loaded.warnings { logger.warning("\(warning)") }
            return loaded.configuration
        }
    }
}

extension ConfigOption {
    /// The effective configuration after the checks `serve` runs (CONTRACT.md §1); a failure exits 2.
    func loadValid() throws -> Configuration {
        let configuration = try load()
        do {
            try SwitchboardServer.validate(configuration)
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(2)
        }
        return configuration
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway.",
        discussion: """
            Environment:
              SWITCHBOARD_CONFIG       the configuration file when --config is not given
              SWITCHBOARD_<PATH>       overrides a scalar setting outside arrays, PATH
                                       being the key path upper-cased, joined by _:
                                       SWITCHBOARD_LISTEN_PORT=9000
              SWITCHBOARD_<PATH>_FILE  the same, read from a file:
                                       SWITCHBOARD_ADMINTOKEN_FILE=/run/secrets/admin
              LOG_LEVEL                trace, debug, info (default), notice, warning,
                                       error, critical
              LOG_FORMAT               text (default) or json (one JSON object per line:
                                       ts, level, label, message, the metadata as keys)

            Secrets from files: every secret key K of the configuration may be given as
            KFile, the path of a file holding it (as Kubernetes and Docker mount
            secrets): adminTokenFile, databaseFile, router.secretFile, router.tokenFile,
            cluster.secretFile, an agent's tokenFile, any channel credential
            ("credentials": {"authTokenFile": "/run/secrets/twilio"}). The value is the
            file's content without one trailing newline.

            Usage and config errors exit 2.
            """)
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.loadValid()
        let logger = Logger(label: "switchboard")
        logger.info(
            "switchboard listening on \(configuration.listen.host):\(configuration.listen.port), \(configuration.channels.count) channels, \(configuration.agents.count) agents"
        )
        var serverOptions = SwitchboardServer.Options()
        serverOptions.reloadSource = options.source()
        try await SwitchboardServer.run(configuration: configuration, logger: logger, options: serverOptions)
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate and print the effective configuration, secrets masked.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.loadValid()
        print(
            try ConfigurationLoader.maskedJSON(
                configuration, secretCredentialKeys: ProviderRegistry.secretCredentialKeys))
    }
}
