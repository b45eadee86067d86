import Foundation

/// One line of the `make bench` table: a figure, the ceiling measured in the same run, and the target.
struct BenchLine: Sendable {
    enum Verdict: String, Sendable {
        case met, missed, report
    }

    var name: String
    var measured: String
    var ceiling: String
    /// measured ÷ ceiling: a share for throughputs, a multiple for latencies.
    var ratio: String
    var target: String
    var verdict: Verdict
    /// What a reader needs to judge the figure (load, reuse, wrap-arounds…), printed under the table.
    var notes: [String] = []
    /// The measured figure in messages per second, on lines compared with the peer (Kannel) in the notes.
    var perSecondValue: Double? = nil
    /// On the peer's own lines: its name in those comparisons ("Kannel no store").
    var peer: String? = nil

    static func percent(_ measured: Double, of ceiling: Double) -> String {
        ceiling > 0 ? String(format: "%.0f%%", measured / ceiling * 100) : "n/a"
    }

    static func times(_ measured: Double, over floor: Double) -> String {
        floor > 0 ? String(format: "%.1f×", measured / floor) : "n/a"
    }

    static func failed(_ name: String, target: String, error: any Error) -> BenchLine {
        BenchLine(
            name: name, measured: "failed", ceiling: "", ratio: "", target: target, verdict: .missed,
            notes: ["\(name): \(error)"])
    }
}

enum BenchTable {
    static func render(_ lines: [BenchLine]) -> String {
        let header = ["Line", "Measured", "Ceiling (same run)", "Ratio", "Target", "Verdict"]
        let rows = lines.map { [$0.name, $0.measured, $0.ceiling, $0.ratio, $0.target, $0.verdict.rawValue] }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func format(_ row: [String]) -> String {
            "| "
                + row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: " | ") + " |"
        }
        var text = [
            format(header), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|",
        ]
        text += rows.map(format)
        let notes = lines.flatMap(\.notes)
        if !notes.isEmpty { text += [""] + notes.map { "- " + $0 } }
        return text.joined(separator: "\n")
    }
}

/// What the figures were measured on.
enum Machine {
    static func description() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) }
            ?? "unknown CPU"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memoryKB =
            meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Double($0) } ?? 0
        // Other processes' load skews every figure on a shared machine: shown so a reader can judge.
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
        return String(
            format: "machine: %d CPUs (nproc), %@, %.1f GiB memory; %@; load average %@ before the run",
            ProcessInfo.processInfo.activeProcessorCount, model, memoryKB / 1_048_576,
            ProcessInfo.processInfo.operatingSystemVersionString, load)
    }
}

/// Percentiles of a sample (nearest rank).
struct Samples {
    private let sorted: [Double]
    var count: Int { sorted.count }

    init(_ values: [Double]) { sorted = values.sorted() }

    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[Swift.max(0, min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    var max: Double { sorted.last ?? .nan }
}

func milliseconds(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
func microseconds(_ seconds: Double) -> String { String(format: "%.0f µs", seconds * 1_000_000) }
func perSecond(_ value: Double) -> String { String(format: "%.0f/s", value) }

/// 100000 → "100,000".
func grouped(_ value: Int) -> String {
    let digits = String(value)
    return digits.enumerated().map { index, digit in
        index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
    }.joined()
}
