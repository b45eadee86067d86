import Foundation
import Logging
import Switchboard
import Testing

/// Runs the end-to-end suites (every provider, plus the webhook races) with a capturing logger at `.trace` and
/// scans every captured line, message and metadata, for the configured secrets and the full phone numbers used.
@Suite("Logs hold no secrets or full phone numbers", .serialized, .timeLimit(.minutes(4)))
struct LogSecrecyTests {
    @Test func endToEndLogsHoldNoSecretsOrFullNumbers() async throws {
        let capture = CapturedLog()
        var logger = Logger(label: "switchboard.scan") { label in CapturingLogHandler(label: label, capture: capture) }
        logger.logLevel = .trace
        try await GatewayHarness.$logger.withValue(logger) {
            try await SMSPathEndToEndTests().twilioSMSPath()
            try await SMSPathEndToEndTests().acsSMSPath()
            try await TelnyxEndToEndTests().smsPath()
            try await TelnyxEndToEndTests().optOut()
            try await PlivoEndToEndTests().smsPath()
            try await TeleSignEndToEndTests().smsPath()
            try await WebhookRaceTests().simultaneousFirstMessagesOpenOneConversation()
        }
        let lines = capture.lines
        let configurations = [
            SMSPathEndToEndTests.configuration(twilioAPI: "http://x", acsAPI: "http://x"),
            TelnyxEndToEndTests.configuration(api: "http://x"), PlivoEndToEndTests.configuration(api: "http://x"),
            TeleSignEndToEndTests.configuration(api: "http://x"),
        ]
        let secrets = Set(configurations.flatMap(Self.secrets(of:)))
        let numbers = try Self.customerNumbers()
        print("log scan: \(lines.count) lines, \(secrets.count) secrets, \(numbers.count) phone numbers")
        #expect(lines.count > 20, "the scan needs logs to scan")
        #expect(secrets.count >= 8)
        #expect(numbers.count >= 5)
        for line in lines {
            for secret in secrets where line.contains(secret) {
                Issue.record("a log line holds a secret (\(secret.prefix(3))…): \(line)")
            }
            for number in numbers where line.contains(number) || line.contains(number.dropFirst()) {
                Issue.record("a log line holds the full number \(number.prefix(5))…: \(line)")
            }
        }
    }

    /// Credentials that authenticate (tokens, keys, secrets), the admin token and the agents' tokens.
    static func secrets(of configuration: Configuration) -> [String] {
        let secretKey = { (key: String) -> Bool in
            let key = key.lowercased()
            return !key.contains("public") && ["token", "key", "secret", "password"].contains { key.contains($0) }
        }
        let credentials = configuration.channels.flatMap { channel in
            channel.credentials.filter { secretKey($0.key) }.map(\.value)
        }
        let tokens: [String?] = [configuration.adminToken] + configuration.agents.map(\.token)
        return (credentials + tokens.compactMap { $0 }).filter { $0.count >= 6 }
    }

    /// Every customer number in the end-to-end tests' sources (channel numbers are the gateway's own, not
    /// personal, and are left out).
    static func customerNumbers() throws -> Set<String> {
        let folder = CLIProcess.repository.appendingPathComponent("Tests/ServerTests")
        var numbers: Set<String> = []
        for file in [
            "SMSPathEndToEndTests.swift", "TelnyxEndToEndTests.swift", "PlivoEndToEndTests.swift",
            "TeleSignEndToEndTests.swift",
        ] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /\+\d{11,14}/) { numbers.insert(String(match.output)) }
        }
        let configurations = [
            SMSPathEndToEndTests.configuration(twilioAPI: "http://x", acsAPI: "http://x"),
            TelnyxEndToEndTests.configuration(api: "http://x"), PlivoEndToEndTests.configuration(api: "http://x"),
            TeleSignEndToEndTests.configuration(api: "http://x"),
        ]
        numbers.subtract(configurations.flatMap { $0.channels.flatMap(\.numbers) })
        numbers.formUnion((0..<4).map { "+1415555030\($0)" })
        return numbers
    }
}

/// Every line logged through ``CapturingLogHandler``s sharing it.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

/// A `LogHandler` that keeps each line with its metadata and source, as a real handler would print them.
struct CapturingLogHandler: LogHandler {
    let label: String
    let capture: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error=\($0)" } ?? ""
        capture.append("\(event.level) \(label) [\(event.source)] \(event.message) \(fields)\(error)")
    }
}
