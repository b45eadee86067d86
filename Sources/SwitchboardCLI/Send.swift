import ArgumentParser
import Curl
import Foundation
import GatewayAssembly
import Logging
import Providers
import Server
import Switchboard

/// `switchboard send`: queue a message in the database's outbox and send it from this process (a running
/// `serve` is not needed). Prints the message id; exit 0 once the provider accepted it, 1 once it failed.
struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send one SMS through a channel's provider API.")

    @Option(help: "The channel id from the configuration.") var channel: String
    @Option(help: "The customer's number (read with the channel's region when it has no country code).") var to: String
    @Option(help: "The message text.") var text: String
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try options.loadValid()
        guard let channel = configuration.channel(id: channel) else {
            printError("error: channel \(self.channel) is not in the configuration")
            throw ExitCode(2)
        }
        let region = channel.region ?? configuration.defaultRegion
        let number: PhoneNumber
        do {
            number = try PhoneNumber.parse(to, region: region)
        } catch {
            printError("error: --to: \(error)")
            throw ExitCode(2)
        }
        let logger = Logger(label: "switchboard.send")
        let outcome = try await SwitchboardServer.withStore(configuration.database, logger: logger) { store in
            try await CurlClient.withCurlClient { client in
                try await OutboundSend(
                    configuration: configuration, channel: channel, store: store,
                    capabilities: ProviderRegistry.capabilities(for: channel, client: client), logger: logger
                ).send(to: number.e164, text: text)
            }
        }
        print(outcome.message.id)
        if outcome.message.status == .failed || outcome.message.status == .optedOut {
            printError("failed: \(outcome.message.error.map { "\($0.code) \($0.message)" } ?? "unknown error")")
            throw ExitCode(1)
        }
    }
}
