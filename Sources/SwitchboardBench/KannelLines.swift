import Foundation

/// The peer's lines (issue 18) and our figures as multiples of its figures.
extension BenchLines {
    /// Kannel's MO pipeline without a store, then with its file store; `SWITCHBOARD_BENCH_KANNEL_MESSAGES` sets
    /// how many messages each run injects (default 20,000).
    static func kannel(log: (String) -> Void) async -> [BenchLine] {
        var benchmark = KannelBenchmark()
        if let messages = environment("SWITCHBOARD_BENCH_KANNEL_MESSAGES").flatMap(Int.init) {
            benchmark.messages = messages
        }
        var lines: [BenchLine] = []
        for store in [KannelBenchmark.Store.none, .file] {
            let name = "Kannel MO → HTTP, \(store.rawValue)"
            do {
                let report = try await benchmark.run(store: store)
                log(
                    String(
                        format: "kannel (%@): %d of %d delivered in %.1f s", store.rawValue, report.delivered,
                        report.sent, report.seconds))
                var notes = [
                    String(
                        format:
                            "%@: Debian's kannel 1.4.5, fakesmsc → bearerbox (fake SMSC) → smsbox → GET to a sink in the bench; %@ of %@ messages delivered in %.1f s (from starting fakesmsc to the last at the sink)",
                        name, grouped(report.delivered), grouped(report.sent), report.seconds)
                ]
                if let storeNote = report.storeNote {
                    notes.append(
                        "\(name): \(storeNote); stricter than our SQLite lines (synchronous=normal: no fsync per commit), like the PostgreSQL lines (fsync on)"
                    )
                }
                if report.delivered < report.sent {
                    notes.append("\(name): only \(grouped(report.delivered)) delivered within \(benchmark.timeout)")
                }
                lines.append(
                    BenchLine(
                        name: name, measured: perSecond(report.perSecond), ceiling: "—", ratio: "", target: "report",
                        verdict: .report, notes: notes, perSecondValue: report.perSecond,
                        peer: "Kannel \(store.rawValue)"))
            } catch {
                lines.append(.failed(name, target: "report", error: error))
            }
        }
        return lines
    }

    /// Adds to each of our lines with a messages-per-second figure a note giving it as a multiple of each peer
    /// line measured in the same run ("1.8× Kannel no store"). Unchanged when no peer line ran.
    static func comparedWithPeer(_ lines: [BenchLine]) -> [BenchLine] {
        let peers = lines.compactMap { line in line.peer.flatMap { name in line.perSecondValue.map { (name, $0) } } }
        let failedPeers = lines.filter { $0.name.hasPrefix("Kannel") && $0.perSecondValue == nil }
        guard !peers.isEmpty || !failedPeers.isEmpty else { return lines }
        return lines.map { line in
            guard line.peer == nil, let ours = line.perSecondValue else { return line }
            var line = line
            let multiples = peers.map { name, figure in BenchLine.times(ours, over: figure) + " " + name }
            let missing = failedPeers.map { "\($0.name) failed" }
            line.notes.append("\(line.name): " + (multiples + missing).joined(separator: ", ") + " (same run)")
            return line
        }
    }
}
