import Foundation
import GatewayAssembly
import Logging
import Testing

/// `LOG_FORMAT=text` (CONTRACT.md §1): ``TextLogHandler`` writes what swift-log's `StreamLogHandler` wrote before it,
/// byte for byte, and formats metadata only for a line it writes.
@Suite("Text log lines")
struct TextLogHandlerTests {
    final class Collected: TextOutputStream, @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func write(_ string: String) { lock.withLock { text += string } }
        func append(_ line: String) { write(line + "\n") }
        var lines: [String] { lock.withLock { text.split(separator: "\n").map(String.init) } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "upstream refused" }
    }

    /// A value that counts how often it is formatted.
    final class Counted: CustomStringConvertible, @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var description: String { lock.withLock { count += 1 }; return "req-1" }
        var formatted: Int { lock.withLock { count } }
    }

    /// The same events through both handlers, with the timestamp (the only part that may differ) cut off.
    @Test func linesAreStreamLogHandlersLines() {
        let ours = Collected()
        let theirs = Collected()
        func log(_ logger: inout Logger) {
            logger.logLevel = .trace
            logger[metadataKey: "channel"] = "twilio-main"
            logger[metadataKey: "attempt"] = .stringConvertible(2)
            logger.info("webhook stored", metadata: ["status": "200", "tags": ["a", "b"], "route": ["kind": "in"]])
            logger.error("send failed", error: Failure())
            logger.trace("finest")
            logger[metadataKey: "channel"] = nil
            logger[metadataKey: "attempt"] = nil
            logger.warning("no metadata")
        }
        var text = Logger(label: "switchboard.test") { TextLogHandler(label: $0, write: ours.append) }
        var stream = Logger(label: "switchboard.test") { StreamLogHandler(label: $0, stream: theirs) }
        log(&text)
        log(&stream)
        let withoutTime = { (line: String) in line.drop { $0 != " " } }
        #expect(ours.lines.count == 4)
        #expect(ours.lines.map(withoutTime) == theirs.lines.map(withoutTime))
        #expect(
            ours.lines[1].hasSuffix(
                " error switchboard.test: attempt=2 channel=twilio-main error.message=upstream refused error.type=ServerTests.TextLogHandlerTests.Failure [ServerTests] send failed"
            ))
        let unlabelled = Collected()
        Logger(label: "") { TextLogHandler(label: $0, write: unlabelled.append) }.notice("bare")
        #expect(unlabelled.lines.map(withoutTime) == [" notice: [ServerTests] bare"])
    }

    @Test func metadataIsFormattedOnlyForALineWritten() {
        let lines = Collected()
        let id = Counted()
        var logger = Logger(label: "switchboard.test") {
            TextLogHandler(label: $0, write: lines.append, timestamp: { "T" })
        }
        logger.logLevel = .info
        logger[metadataKey: "hb.request.id"] = .stringConvertible(id)
        logger.debug("below the level")
        #expect(id.formatted == 0)
        logger.info("handled")
        #expect(id.formatted == 1)
        #expect(lines.lines == ["T info switchboard.test: hb.request.id=req-1 [ServerTests] handled"])
    }

    @Test func theTimestampIsLocalTimeWithItsOffset() {
        let stamp = TextLogHandler.localTimestamp()
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}/) != nil, "\(stamp)")
    }
}
