import Foundation
import Logging

/// `LOG_FORMAT=text` (the default): swift-log's `StreamLogHandler` line, byte for byte —
/// `2026-12-06T22:40:00+0000 info switchboard: key=value [Module] message` — with the metadata formatted when a line
/// is written rather than each time it is set.
///
/// Hummingbird gives every request a logger with its own `hb.request.id`; `StreamLogHandler` formats the metadata
/// string on that set, for every request, logged or not, and keeps it for the request's life (an agent's event
/// stream: hours). Here nothing is formatted until a line is written.
public struct TextLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void
    private let timestamp: @Sendable () -> String

    /// - Parameters:
    ///   - write: takes each line, without its newline.
    ///   - timestamp: the time a line starts with (local time, `%Y-%m-%dT%H:%M:%S%z`, as `StreamLogHandler`).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void,
        timestamp: @escaping @Sendable () -> String = TextLogHandler.localTimestamp
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.timestamp = timestamp
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata(of: event)
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = timestamp() + " \(event.level)" + (label.isEmpty ? "" : " ") + label + ":"
        if !all.isEmpty {
            line += " " + all.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        }
        line += " [\(event.source)] \(event.message)"
        write(line)
    }

    /// Now, in local time, as `StreamLogHandler` writes it.
    @Sendable public static func localTimestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
