import Foundation
import Logging
import Switchboard

/// How the process logs (CONTRACT.md §1): `LOG_LEVEL` (`trace` … `critical`, default `info`) and `LOG_FORMAT`
/// (`text`, the default: ``TextLogHandler``, or `json`: ``JSONLogHandler``), always to standard error.
public struct LogSettings: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var level: Logger.Level
    public var format: Format

    public init(level: Logger.Level = .info, format: Format = .text) {
        self.level = level
        self.format = format
    }

    /// A variable with a value it does not know: a usage error naming the variable.
    public struct Invalid: Error, Sendable, Equatable {
        public var message: String
    }

    /// Reads `LOG_LEVEL` and `LOG_FORMAT` (any case; unset or empty: the default).
    public init(environment: [String: String]) throws(Invalid) {
        self.init()
        if let value = environment["LOG_LEVEL"], !value.isEmpty {
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw Invalid(message: "LOG_LEVEL=\(value) is not a log level; use one of \(names)")
            }
            self.level = level
        }
        if let value = environment["LOG_FORMAT"], !value.isEmpty {
            guard let format = Format(rawValue: value.lowercased()) else {
                let names = Format.allCases.map(\.rawValue).joined(separator: ", ")
                throw Invalid(message: "LOG_FORMAT=\(value) is not a log format; use one of \(names)")
            }
            self.format = format
        }
    }

    /// A handler for `label` that writes to standard error in this format at this level.
    public func makeHandler(label: String) -> any LogHandler {
        switch format {
        case .text:
            var handler = TextLogHandler(
                label: label, metadataProvider: LoggingSystem.metadataProvider, write: StandardErrorLines.write)
            handler.logLevel = level
            return handler
        case .json:
            var handler = JSONLogHandler(label: label, write: StandardErrorLines.write)
            handler.logLevel = level
            return handler
        }
    }

    /// Makes every `Logger` of the process use these settings; call once, before the first `Logger` is made.
    public func bootstrap() {
        let settings = self
        LoggingSystem.bootstrap { label in settings.makeHandler(label: label) }
    }
}

extension LogHandler {
    /// What a line of `event` carries: this handler's metadata, then its provider's, then the event's own, a later
    /// one replacing an earlier one of the same key.
    func metadata(of event: LogEvent) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let own = event.metadata { all.merge(own) { $1 } }
        return all
    }
}

/// Whole lines to standard error, one `write` each, so lines of concurrent tasks never interleave.
enum StandardErrorLines {
    private static let lock = NSLock()

    @Sendable static func write(_ line: String) {
        let data = Data((line + "\n").utf8)
        lock.withLock { FileHandle.standardError.write(data) }
    }
}

/// `LOG_FORMAT=json`: one JSON object per line, `ts` (RFC 3339 UTC with milliseconds), `level`, `label`,
/// `message`, `source`, then the metadata, each key as a member (nested metadata as objects and arrays), and
/// `error` when the event carries one. A metadata key that is one of these names is written as `metadata.<key>`.
/// It writes what it is given, nothing more: secrets stay out as long as no call site logs one.
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Date

    static let reservedKeys: Set<String> = ["ts", "level", "label", "message", "source", "error"]

    /// - Parameters:
    ///   - write: takes each line, without its newline.
    ///   - now: the time an event is stamped with.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata(of: event)
        var line = "{\"ts\":"
        Self.append(string: ContractJSON.timestamp(now()), to: &line)
        line += ",\"level\":"
        Self.append(string: event.level.rawValue, to: &line)
        line += ",\"label\":"
        Self.append(string: label, to: &line)
        line += ",\"message\":"
        Self.append(string: event.message.description, to: &line)
        line += ",\"source\":"
        Self.append(string: event.source, to: &line)
        if let error = event.error {
            line += ",\"error\":"
            Self.append(string: String(describing: error), to: &line)
        }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            line += ","
            Self.append(string: Self.reservedKeys.contains(key) ? "metadata.\(key)" : key, to: &line)
            line += ":"
            Self.append(value: value, to: &line)
        }
        line += "}"
        write(line)
    }

    static func append(value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string): append(string: string, to: &line)
        case .stringConvertible(let convertible): append(string: convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, value) in values.enumerated() {
                if index > 0 { line += "," }
                append(value: value, to: &line)
            }
            line += "]"
        case .dictionary(let members):
            line += "{"
            for (index, (key, value)) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                append(string: key, to: &line)
                line += ":"
                append(value: value, to: &line)
            }
            line += "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as is.
    static func append(string: String, to line: inout String) {
        line += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                line +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
