import ArgumentParser
import Foundation
import GatewayAssembly
import Logging
import Providers
import Server
import Switchboard

@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "SMS/voice gateway adapter for contact centers.",
        subcommands: [Serve.self, Replay.self, CheckConfig.self, Contacts.self, Send.self]
    )
}

/// `--config FILE`, shared by every command.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./switchboard.json if present, else built-in defaults).")
    var config: String?

    /// The effective configuration; a usage or config error exits 2 naming the problem.
    func load() throws -> Configuration {
        let path = config ?? (FileManager.default.fileExists(atPath: "switchboard.json") ? "switchboard.json" : nil)
        do {
            let loaded = try ConfigurationLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
            for warning in loaded.warnings { printError("warning: \(warning)") }
            return loaded.configuration
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(2)
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
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.loadValid()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
                ?? .info
            return handler
        }
        let logger = Logger(label: "switchboard")
        logger.info(
            "switchboard listening on \(configuration.listen.host):\(configuration.listen.port), \(configuration.channels.count) channels, \(configuration.agents.count) agents"
        )
        try await SwitchboardServer.run(configuration: configuration, logger: logger)
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
