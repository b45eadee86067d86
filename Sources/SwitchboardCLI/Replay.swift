import ArgumentParser
import Curl
import Foundation
import Providers
import Switchboard

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send recorded provider requests to a running gateway, signed with the config's secrets.")

    @Argument(help: "Fixture files or directories of fixtures.") var fixtures: [String]
    @OptionGroup var options: ConfigOption
    @Option(help: "Gateway URL (default: http://{listen.host}:{listen.port}).") var target: String?

    func run() async throws {
        let configuration = try options.load()
        let files: [String]
        do {
            files = try FixtureFiles.find(fixtures)
        } catch {
            printError("error: \(error.reason)")
            throw ExitCode(2)
        }
        guard !files.isEmpty else {
            printError("error: no fixture files (*.json) in \(fixtures.joined(separator: " "))")
            throw ExitCode(2)
        }
        let base = target ?? "http://\(configuration.listen.host):\(configuration.listen.port)"
        let failures = try await CurlClient.withCurlClient { client in
            let replayer = FixtureReplayer(configuration: configuration, client: client, target: base)
            var failures = 0
            for file in files {
                let result = await replayer.replay(file: file)
                switch result {
                case .success(let note): print("PASS \(file)\(note.isEmpty ? "" : ": \(note)")")
                case .failure(let failure):
                    failures += 1
                    print("FAIL \(file): \(failure.reason)")
                }
            }
            return failures
        }
        print("\(files.count - failures) passed, \(failures) failed")
        if failures > 0 { throw ExitCode(1) }
    }
}
