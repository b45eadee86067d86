import Foundation

extension BenchLines {
    /// Issue 17: ingest (existing customers) during a retention sweep of about 1,000,000 rows, against the
    /// same gateway's ingest in the seconds before the sweep; the sweep's rate and duration in the notes.
    /// Then the same on PostgreSQL when `SWITCHBOARD_BENCH_POSTGRES_URL` names a server.
    /// `SWITCHBOARD_BENCH_RETENTION_SECONDS` (default 70): seconds of ingest, long enough to see the sweep end.
    static func retention(log: (String) -> Void) async -> [BenchLine] {
        var benchmark = RetentionBenchmark()
        if let seconds = environment("SWITCHBOARD_BENCH_RETENTION_SECONDS").flatMap(Int.init) {
            benchmark.seconds = seconds
        }
        var lines = await retention(benchmark, log: log)
        if let postgres = environment("SWITCHBOARD_BENCH_POSTGRES_URL") {
            var onPostgres = benchmark
            onPostgres.database = postgres
            lines += await retention(onPostgres, log: log)
        }
        return lines
    }

    static func retention(_ benchmark: RetentionBenchmark, log: (String) -> Void) async -> [BenchLine] {
        let store = benchmark.database.hasPrefix("postgres") ? "PostgreSQL, 1 instance" : "SQLite"
        let name = "Ingest during a retention sweep of \(grouped(benchmark.rowsToSweep)) rows (\(store))"
        let target = "report (the sweep never blocks ingest)"
        do {
            let report = try await benchmark.run(log: log)
            let baseline = RetentionBenchmark.Report.rate(report.baseline, \.storedPerSecond)
            let sweeping = report.sweeping
            let during = RetentionBenchmark.Report.rate(sweeping, \.storedPerSecond)
            let worst = sweeping.min { $0.storedPerSecond < $1.storedPerSecond }
            let sweepSeconds = sweeping.map(\.seconds).reduce(0, +)
            let sweepRate = sweepSeconds > 0 ? report.totalDeleted / sweepSeconds : 0
            let kinds = report.deletedByKind.sorted { $0.key < $1.key }
                .map { "\($0.key) \(grouped(Int($0.value)))" }.joined(separator: ", ")
            let finished =
                report.finished
                ? String(format: "all %@ rows swept in %.0f s", grouped(report.rows), sweepSeconds)
                : String(
                    format: "NOT finished within the run: %@ of %@ rows swept in %.0f s (%.0f s for all at this rate)",
                    grouped(Int(report.totalDeleted)), grouped(report.rows), sweepSeconds,
                    Double(report.rows) / max(1, sweepRate))
            var notes = [
                String(
                    format:
                        "retention (%@): %@; sweep %.0f rows/s (%@; batches of 250, at least 2 ms apart); worst 1-s window during the sweep %.0f/s (%@ of the baseline), at %.0f s; baseline = %d s before the sweep, same gateway, same wrk run (%d connections, existing customers); prepared in %.1f s",
                    store, finished, sweepRate, kinds, worst?.storedPerSecond ?? 0,
                    BenchLine.percent(worst?.storedPerSecond ?? 0, of: baseline), worst?.end ?? 0,
                    report.baseline.count, benchmark.connections, report.prepareSeconds),
                "retention (\(store)): stored/s per second of the run: "
                    + report.windows.map { String(format: "%.0f%@", $0.storedPerSecond, $0.deleted > 0 ? "*" : "") }
                    .joined(separator: " ") + " (* = the sweep deleted in that second)",
                "retention (\(store)): rows swept per second: "
                    + sweeping.map { String(format: "%.0f", $0.deletedPerSecond) }.joined(separator: " "),
            ]
            if !report.after.isEmpty {
                let after = RetentionBenchmark.Report.rate(report.after, \.storedPerSecond)
                notes.append(
                    String(
                        format: "retention (%@): ingest in the %d s after the sweep %@ (the sweep's %@ of it)", store,
                        report.after.count, perSecond(after), BenchLine.percent(during, of: after)))
            }
            if report.wrk.wrapped > 0 || report.wrk.statusErrors > 0 || report.wrk.socketErrors > 0 {
                notes.append(
                    "retention (\(store)): wrk \(report.wrk.wrapped) wraps (duplicates, not stored), "
                        + "\(report.wrk.statusErrors) non-2xx, \(report.wrk.socketErrors) socket errors")
            }
            return [
                BenchLine(
                    name: name, measured: perSecond(during) + " during", ceiling: perSecond(baseline) + " before",
                    ratio: BenchLine.percent(during, of: baseline), target: target, verdict: .report, notes: notes)
            ]
        } catch {
            return [.failed(name, target: target, error: error)]
        }
    }
}
