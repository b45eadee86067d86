import Foundation
import Synchronization

/// Counters, gauges and histograms of CONTRACT.md §10, rendered as Prometheus text.
/// Kept in-process and small: a handful of series, each label set a dictionary key.
public final class Metrics: Sendable {
    private struct Histogram {
        var buckets: [Int]
        var sum: Double = 0
        var count: Int = 0

        mutating func add(_ value: Double) {
            for (index, bound) in Metrics.bucketBounds.enumerated() where value <= bound { buckets[index] += 1 }
            sum += value
            count += 1
        }
    }
    private struct State {
        var counters: [String: [String: Double]] = [:]
        var gauges: [String: [String: Double]] = [:]
        var histograms: [String: [String: Histogram]] = [:]
    }
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private static let help: [String: (type: String, help: String)] = [
        "switchboard_webhooks_total": ("counter", "Provider webhooks by provider, kind and outcome."),
        "switchboard_ingest_duration_seconds": ("histogram", "Webhook received to answered."),
        "switchboard_notifications_total": ("counter", "Closed notifications by scenario and outcome."),
        "switchboard_outbound_sends_total": ("counter", "Outbound send attempts by provider and outcome."),
        "switchboard_outbox_depth": ("gauge", "Replies waiting in the outbox."),
        "switchboard_agents": ("gauge", "Agents by presence."),
        "switchboard_core_events_total": (
            "counter", "Events to the remote core by type and outcome (delivered; retry: a failed attempt)."
        ),
        "switchboard_core_outbox_depth": ("gauge", "Events waiting for the remote core."),
        "switchboard_cluster_leader": ("gauge", "1 on the instance that leads the cluster (runs the router)."),
        "switchboard_retention_deleted_total": (
            "counter", "Rows the retention sweep deleted, by kind (messages, conversations, dedupeKeys, replayNonces)."
        ),
        "switchboard_cluster_forwarded_requests_total": (
            "counter", "Agent API requests a follower forwarded to the leader, by outcome."
        ),
    ]
    private let state = Mutex(State())

    public init() {}

    static func labelKey(_ labels: KeyValuePairs<String, String>) -> String {
        // One string appended to, not one per label joined afterwards: every webhook counts a few series.
        var key = ""
        for (index, label) in labels.enumerated() {
            if index > 0 { key += "," }
            key += label.key
            key += "=\""
            key += escape(label.value)
            key += "\""
        }
        return key
    }

    private static func escape(_ value: String) -> String {
        // Label values are almost always plain: don't pay for three Foundation replacements on every webhook.
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0a })
        else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    public func increment(_ name: String, _ labels: KeyValuePairs<String, String>, by value: Double = 1) {
        let key = Self.labelKey(labels)
        state.withLock { $0.counters[name, default: [:]][key, default: 0] += value }
    }

    public func set(_ name: String, _ labels: KeyValuePairs<String, String>, to value: Double) {
        let key = Self.labelKey(labels)
        state.withLock { $0.gauges[name, default: [:]][key] = value }
    }

    /// Replaces every series of a gauge (e.g. agents by presence).
    public func replaceGauge(_ name: String, series: [String: Double], label: String) {
        state.withLock { state in
            state.gauges[name] = Dictionary(
                uniqueKeysWithValues: series.map { ("\(label)=\"\(Self.escape($0.key))\"", $0.value) })
        }
    }

    public func observe(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        let key = Self.labelKey(labels)
        state.withLock { state in
            // Mutated in place: copying the histogram out and back would copy its buckets on every webhook.
            state.histograms[name, default: [:]][
                key, default: Histogram(buckets: Array(repeating: 0, count: Self.bucketBounds.count))
            ].add(value)
        }
    }

    /// The value of one counter series (tests and benchmarks).
    public func counter(_ name: String, _ labels: KeyValuePairs<String, String>) -> Double {
        let key = Self.labelKey(labels)
        return state.withLock { $0.counters[name]?[key] ?? 0 }
    }

    /// Prometheus text exposition format 0.0.4.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        func header(_ name: String) {
            if let help = Self.help[name] {
                out += "# HELP \(name) \(help.help)\n# TYPE \(name) \(help.type)\n"
            }
        }
        func series(_ name: String, _ key: String) -> String { key.isEmpty ? name : "\(name){\(key)}" }
        for name in Set(snapshot.counters.keys).union(Self.help.filter { $0.value.type == "counter" }.keys).sorted() {
            header(name)
            for (key, value) in (snapshot.counters[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "\(series(name, key)) \(format(value))\n"
            }
        }
        for name in Set(snapshot.gauges.keys).union(Self.help.filter { $0.value.type == "gauge" }.keys).sorted() {
            header(name)
            for (key, value) in (snapshot.gauges[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "\(series(name, key)) \(format(value))\n"
            }
        }
        for name in snapshot.histograms.keys.sorted() {
            header(name)
            for (key, histogram) in snapshot.histograms[name]!.sorted(by: { $0.key < $1.key }) {
                let prefix = key.isEmpty ? "" : key + ","
                for (index, bound) in Self.bucketBounds.enumerated() {
                    out += "\(name)_bucket{\(prefix)le=\"\(format(bound))\"} \(histogram.buckets[index])\n"
                }
                out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.count)\n"
                out += "\(series(name + "_sum", key)) \(format(histogram.sum))\n"
                out += "\(series(name + "_count", key)) \(histogram.count)\n"
            }
        }
        return out
    }

    private func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
