import Foundation
import GatewayAssembly
import Logging
import Switchboard
import Testing

/// `LOG_FORMAT=json` and `LOG_LEVEL` (CONTRACT.md §1): the handler's lines and the settings' parsing.
@Suite("JSON log lines, LOG_LEVEL and LOG_FORMAT")
struct JSONLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "upstream refused" }
    }

    static let instant = Date(timeIntervalSince1970: 1_795_592_460.1231)  // 2026-11-25T07:41:00.123Z

    func logger(_ lines: Lines, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "switchboard.test") { label in
            JSONLogHandler(label: label, write: lines.append, now: { Self.instant })
        }
        logger.logLevel = level
        return logger
    }

    func object(_ line: String) throws -> [String: JSONValue] {
        #expect(!line.contains("\n"), "one line per event")
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
            throw TestFailure("not a JSON object: \(line)")
        }
        return object
    }

    @Test func eachEventIsOneJSONObjectWithTsLevelLabelMessageAndTheMetadataAsKeys() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger[metadataKey: "channel"] = "twilio-main"
        logger.info(
            "webhook \"stored\"\nnext line \u{1}",
            metadata: [
                "status": .stringConvertible(200), "tags": ["a", "b"], "route": ["kind": "inbound", "n": "1"],
                "message": "collides", "ts": "collides too",
            ])
        logger.error("send failed", error: Failure())
        logger.trace("finest")

        let all = lines.all
        #expect(all.count == 3)
        let first = try object(all[0])
        #expect(first["ts"] == .string("2026-11-25T07:41:00.123Z"))
        #expect(first["level"] == .string("info"))
        #expect(first["label"] == .string("switchboard.test"))
        #expect(first["message"] == .string("webhook \"stored\"\nnext line \u{1}"))
        #expect(first["channel"] == .string("twilio-main"))
        #expect(first["status"] == .string("200"))
        #expect(first["tags"] == .array([.string("a"), .string("b")]))
        #expect(first["route"] == .object(["kind": .string("inbound"), "n": .string("1")]))
        #expect(first["metadata.message"] == .string("collides"))
        #expect(first["metadata.ts"] == .string("collides too"))
        #expect(all[0].hasPrefix(#"{"ts":"2026-11-25T07:41:00.123Z","level":"info","label":"switchboard.test","#))

        let second = try object(all[1])
        #expect(second["level"] == .string("error"))
        #expect(second["error"] == .string("upstream refused"))
        #expect(try object(all[2])["level"] == .string("trace"))
    }

    @Test func theLevelIsTheLoggersLevel() {
        let lines = Lines()
        let logger = logger(lines, level: .notice)
        logger.info("not written")
        logger.notice("written")
        #expect(lines.all.count == 1)
    }

    @Test func theTimestampIsRFC3339UTCWithMilliseconds() throws {
        let lines = Lines()
        Logger(label: "clock") { JSONLogHandler(label: $0, write: lines.append) }.info("now")
        let ts = try object(lines.all[0])["ts"]?.stringValue ?? ""
        #expect(ts.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "ts: \(ts)")
    }

    @Test func settingsComeFromLogLevelAndLogFormat() throws {
        #expect(try LogSettings(environment: [:]) == LogSettings(level: .info, format: .text))
        #expect(
            try LogSettings(environment: ["LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"])
                == LogSettings(level: .debug, format: .json))
        #expect(try LogSettings(environment: ["LOG_LEVEL": "", "LOG_FORMAT": ""]) == LogSettings())
        #expect(throws: LogSettings.Invalid.self) { try LogSettings(environment: ["LOG_FORMAT": "xml"]) }
        do {
            _ = try LogSettings(environment: ["LOG_FORMAT": "xml"])
        } catch {
            #expect(error.message.contains("LOG_FORMAT"))
        }
        do {
            _ = try LogSettings(environment: ["LOG_LEVEL": "verbose"])
            Issue.record("LOG_LEVEL=verbose was accepted")
        } catch {
            #expect(error.message.contains("LOG_LEVEL"))
        }
    }
}
