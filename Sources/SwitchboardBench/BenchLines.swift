import Foundation

/// Each benchmark run and turned into table lines with its target (issue 7). A benchmark that fails gives a
/// `failed` line, and the others still run.
enum BenchLines {
    static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The SQLite lines (or the store `SWITCHBOARD_BENCH_DATABASE` names), then, when
    /// `SWITCHBOARD_BENCH_POSTGRES_URL` names a PostgreSQL server, new customers on it with one and two instances.
    static func ingest(log: (String) -> Void) async -> [BenchLine] {
        var benchmark = IngestBenchmark()
        if let database = environment("SWITCHBOARD_BENCH_DATABASE") { benchmark.database = database }
        if let instances = environment("SWITCHBOARD_BENCH_INSTANCES").flatMap(Int.init) {
            benchmark.instances = instances
        }
        var lines = await ingest(benchmark, customers: [.new, .existing], log: log)
        if let postgres = environment("SWITCHBOARD_BENCH_POSTGRES_URL") {
            let ceilings = await pgbenchCeilings(on: postgres, log: log)
            lines += ceilings.map(\.line)
            for instances in [1, 2] {
                var onPostgres = IngestBenchmark()
                onPostgres.database = postgres
                onPostgres.instances = instances
                lines += await ingest(onPostgres, customers: [.new], log: log).map { line in
                    var line = line
                    guard let ours = line.perSecondValue else { return line }
                    for (ceiling, figure) in ceilings {
                        guard let figure else { continue }
                        line.notes.append(
                            "\(line.name): \(BenchLine.percent(ours, of: figure)) of \(ceiling.name) (same run)")
                    }
                    return line
                }
            }
        }
        return lines
    }

    /// The PostgreSQL lines' ceiling: `pgbench` running one webhook's three writes, a transaction each and ten a
    /// transaction (``PgbenchCeiling``).
    static func pgbenchCeilings(
        on postgres: String, log: (String) -> Void
    ) async -> [(line: BenchLine, webhooksPerSecond: Double?)] {
        let ceiling = PgbenchCeiling()
        var lines: [(line: BenchLine, webhooksPerSecond: Double?)] = []
        for webhooks in [1, 10] {
            let name = "PostgreSQL ceiling: pgbench, \(webhooks) webhook\(webhooks == 1 ? "" : "s") a transaction"
            do {
                let report = try await ceiling.run(on: postgres, webhooksPerTransaction: webhooks)
                log(
                    String(
                        format: "pgbench: %.0f transactions/s of %d webhooks", report.transactionsPerSecond, webhooks))
                let line = BenchLine(
                    name: name, measured: perSecond(report.webhooksPerSecond), ceiling: "—", ratio: "",
                    target: "report", verdict: .report,
                    notes: [
                        String(
                            format:
                                "%@: %d clients × %d webhooks, prepared statements, fsync on; a dedupe key, a conversation upsert and a message per webhook (%.0f transactions/s)",
                            name, ceiling.clients, ceiling.webhooksPerClient, report.transactionsPerSecond)
                    ])
                lines.append((line, report.webhooksPerSecond))
            } catch {
                lines.append((.failed(name, target: "report", error: error), nil))
            }
        }
        return lines
    }

    static func ingest(
        _ benchmark: IngestBenchmark, customers: [IngestBenchmark.Customers], log: (String) -> Void
    ) async -> [BenchLine] {
        let store =
            benchmark.database.hasPrefix("sqlite:") ? "SQLite" : String(benchmark.database.prefix { $0 != ":" })
        let where_ = "\(store), \(benchmark.instances) instance\(benchmark.instances == 1 ? "" : "s")"
        let target = "≥10,000/s and ≥30%"
        do {
            let reports = try await benchmark.run(customers: customers, log: log)
            return reports.map { report in
                let met = report.ingestPerSecond >= 10_000 && report.ingestPerSecond >= 0.3 * report.noOpPerSecond
                var notes = [
                    String(
                        format:
                            "ingest (%@ customers): wrk %d connections for %.0f s; webhook p50 %@, p99 %@; no-op p50 %@, p99 %@; %d non-2xx, %d socket errors",
                        report.customers.rawValue, benchmark.connections, report.ingest.duration,
                        milliseconds(report.ingest.p50), milliseconds(report.ingest.p99),
                        milliseconds(report.noOp.p50), milliseconds(report.noOp.p99),
                        report.ingest.statusErrors, report.ingest.socketErrors),
                    String(
                        format:
                            "ingest (%@ customers): gateway CPU %.0f µs per webhook (user + system, all threads); %.1f kB written per webhook (write system calls)",
                        report.customers.rawValue, report.gatewayCPUPerWebhook * 1_000_000,
                        report.gatewayBytesPerWebhook / 1_000),
                ]
                if let server = report.postgresCPUPerWebhook {
                    notes.append(
                        String(
                            format:
                                "ingest (%@ customers): PostgreSQL server CPU %.0f µs per webhook (all its processes)",
                            report.customers.rawValue, server * 1_000_000))
                }
                if report.ingest.wrapped > 0 {
                    notes.append("ingest: requests ran out and repeated (duplicates answered without storing)")
                }
                return BenchLine(
                    name: "Ingest, \(report.customers.rawValue) customers (\(where_))",
                    measured: perSecond(report.ingestPerSecond), ceiling: perSecond(report.noOpPerSecond) + " no-op",
                    ratio: BenchLine.percent(report.ingestPerSecond, of: report.noOpPerSecond), target: target,
                    verdict: met ? .met : .missed, notes: notes, perSecondValue: report.ingestPerSecond)
            }
        } catch {
            return [.failed("Ingest (\(where_))", target: target, error: error)]
        }
    }

    static func latency() async -> [BenchLine] {
        var lines: [BenchLine] = []
        for neighbour in [false, true] {
            let benchmark = NotificationLatency(messages: 5_000, ratePerSecond: 1_000, agents: 10)
            let name = "Latency webhook → SSE, 1,000/s" + (neighbour ? ", busy neighbour" : "")
            let target = neighbour ? "p99 < 25 ms" : "p99 < 10 ms"
            do {
                // The neighbour keeps one core busy for the whole measurement (issue 18).
                let hog = try neighbour ? BusyNeighbour() : nil
                defer { hog?.stop() }
                let report = try await benchmark.run()
                let p99 = report.latencies.percentile(0.99)
                lines.append(
                    BenchLine(
                        name: name,
                        measured: "p50 \(milliseconds(report.latencies.percentile(0.5))), p99 \(milliseconds(p99))",
                        ceiling:
                            "p50 \(milliseconds(report.floor.percentile(0.5))), p99 \(milliseconds(report.floor.percentile(0.99))) no-op",
                        ratio: BenchLine.times(p99, over: report.floor.percentile(0.99)) + " (p99)", target: target,
                        verdict: p99 < (neighbour ? 0.025 : 0.010) && report.latencies.count == report.messages
                            ? .met : .missed,
                        notes: [
                            String(
                                format:
                                    "latency%@: %d of %d notifications received, %d webhook failures, max %@; webhook answered in p50 %@, p99 %@; floor = HTTP round trip of the same paced loop to the no-op route; 10 agents, auto-accept, new customers",
                                neighbour ? " (beside a process keeping one core busy)" : "", report.latencies.count,
                                report.messages, report.failures, milliseconds(report.latencies.max),
                                milliseconds(report.answers.percentile(0.5)),
                                milliseconds(report.answers.percentile(0.99))),
                            "latency\(neighbour ? " (busy neighbour)" : ""): \(report.conditionsNote)",
                        ]))
            } catch {
                lines.append(.failed(name, target: target, error: error))
            }
        }
        return lines
    }

    /// Remote core mode: a backlog drained into a no-op core, and webhook → the core's receipt at 1,000/s.
    static func core() async -> [BenchLine] {
        var lines: [BenchLine] = []
        let delivery = CoreDeliveryBenchmark()
        let throughputTarget = "≥50% of ceiling, in order"
        do {
            let report = try await delivery.run()
            lines.append(
                BenchLine(
                    name: "Remote core, backlog delivered",
                    measured: perSecond(report.deliveredPerSecond),
                    ceiling: perSecond(report.ceilingPerSecond) + " CurlClient, 64 at once",
                    ratio: BenchLine.percent(report.deliveredPerSecond, of: report.ceilingPerSecond),
                    target: throughputTarget,
                    verdict: report.deliveredPerSecond >= 0.5 * report.ceilingPerSecond && report.outOfOrder == 0
                        && report.delivered == delivery.events ? .met : .missed,
                    notes: [
                        "core: \(grouped(report.delivered)) of \(grouped(delivery.events)) events over \(grouped(delivery.conversations)) conversations queued before the gateway started (a core that was down), \(report.outOfOrder) out of order; gateway CPU \(Int((report.gatewayCPUPerEvent * 1_000_000).rounded())) µs per event (all threads, its start included); ceiling = this process POSTing the same signed bodies to the same no-op core"
                    ]))
        } catch {
            lines.append(.failed("Remote core, backlog delivered", target: throughputTarget, error: error))
        }
        lines.append(await coreLatency(postgres: nil))
        if let postgres = environment("SWITCHBOARD_BENCH_POSTGRES_URL") {
            lines.append(await coreLatency(postgres: postgres))
        }
        return lines
    }

    /// Webhook → core at 1,000/s, on SQLite or on a fresh database of the PostgreSQL server `postgres`.
    static func coreLatency(postgres: String?) async -> BenchLine {
        let latency = NotificationLatency(
            messages: 5_000, ratePerSecond: 1_000, agents: 1, remoteCore: true, postgres: postgres)
        let name = "Latency webhook → core, 1,000/s" + (postgres == nil ? "" : " (PostgreSQL)")
        let target = "p99 < 10 ms"
        do {
            let report = try await latency.run()
            let p99 = report.latencies.percentile(0.99)
            return BenchLine(
                name: name,
                measured: "p50 \(milliseconds(report.latencies.percentile(0.5))), p99 \(milliseconds(p99))",
                ceiling:
                    "p50 \(milliseconds(report.floor.percentile(0.5))), p99 \(milliseconds(report.floor.percentile(0.99))) no-op",
                ratio: BenchLine.times(p99, over: report.floor.percentile(0.99)) + " (p99)", target: target,
                verdict: p99 < 0.010 && report.latencies.count == report.messages ? .met : .missed,
                notes: [
                    String(
                        format:
                            "%@: %d of %d message.received events received, %d webhook failures, max %@; webhook answered in p50 %@, p99 %@; floor = HTTP round trip of the same paced loop to the no-op route; new customers%@",
                        postgres == nil ? "core latency" : "core latency (PostgreSQL)", report.latencies.count,
                        report.messages, report.failures, milliseconds(report.latencies.max),
                        milliseconds(report.answers.percentile(0.5)), milliseconds(report.answers.percentile(0.99)),
                        postgres == nil ? "" : "; the bench's PostgreSQL server, fsync on, one instance"),
                    "core latency: \(report.conditionsNote)",
                ])
        } catch {
            return .failed(name, target: target, error: error)
        }
    }

    static func outbound() async -> [BenchLine] {
        let benchmark = OutboundBenchmark()
        // Issue 18's targets: the client alone ≥ 70% of wrk's ceiling, a whole Twilio send (building the request,
        // reading Twilio's answer) ≥ 50%.
        let clientTarget = 0.7
        let sendTarget = 0.5
        func target(_ share: Double) -> String { "≥\(Int(share * 100))% of ceiling" }
        do {
            let report = try await benchmark.run()
            let reuse = String(
                format: "outbound: %d requests over %d connections opened by CurlClient (%d concurrent); %d failures",
                report.curlRequests, report.curlConnections, benchmark.concurrency, report.failures)
            return [
                BenchLine(
                    name: "Outbound, CurlClient POST",
                    measured: perSecond(report.curlPerSecond), ceiling: perSecond(report.ceilingPerSecond) + " wrk",
                    ratio: BenchLine.percent(report.curlPerSecond, of: report.ceilingPerSecond),
                    target: target(clientTarget),
                    verdict: report.curlPerSecond >= clientTarget * report.ceilingPerSecond ? .met : .missed,
                    notes: [
                        reuse,
                        String(
                            format:
                                "outbound: the client's CPU per request (tasks and curl's thread): CurlClient %.1f µs, Twilio send %.1f µs",
                            report.curlCPUPerRequest * 1e6, report.sendCPUPerRequest * 1e6),
                    ]),
                BenchLine(
                    name: "Outbound, Twilio send (reply)",
                    measured: perSecond(report.sendPerSecond), ceiling: perSecond(report.ceilingPerSecond) + " wrk",
                    ratio: BenchLine.percent(report.sendPerSecond, of: report.ceilingPerSecond),
                    target: target(sendTarget),
                    verdict: report.sendPerSecond >= sendTarget * report.ceilingPerSecond ? .met : .missed),
            ]
        } catch {
            return [.failed("Outbound", target: target(clientTarget), error: error)]
        }
    }

    static func contacts(log: (String) -> Void) async -> [BenchLine] {
        var benchmark = ContactsBenchmark()
        if let count = environment("SWITCHBOARD_BENCH_CONTACTS").flatMap(Int.init) { benchmark.contacts = count }
        let size =
            benchmark.contacts >= 1_000_000 ? "\(benchmark.contacts / 1_000_000)M" : grouped(benchmark.contacts)
        do {
            let report = try await benchmark.run(log: log)
            let p99 = report.lookups.percentile(0.99)
            return [
                BenchLine(
                    name: "Contacts lookup, \(size) contacts",
                    measured: "p50 \(microseconds(report.lookups.percentile(0.5))), p99 \(microseconds(p99))",
                    ceiling:
                        "p50 \(microseconds(report.rawLookups.percentile(0.5))), p99 \(microseconds(report.rawLookups.percentile(0.99))) raw",
                    ratio: BenchLine.times(p99, over: report.rawLookups.percentile(0.99)) + " (p99)",
                    target: "p99 < 1 ms at 10M", verdict: p99 < 0.001 ? .met : .missed,
                    notes: [
                        String(
                            format:
                                "contacts: %d lookups of random stored numbers, one at a time; raw = one prepared GRDB statement on the same file; file %.0f MB%@",
                            report.lookups.count, Double(report.fileBytes) / 1e6,
                            report.contacts < 10_000_000
                                ? "; 10M: SWITCHBOARD_BENCH_CONTACTS=10000000 make bench-contacts" : "")
                    ]),
                BenchLine(
                    name: "Contacts import (importContacts, batches of \(grouped(benchmark.batch)))",
                    measured: perSecond(report.importPerSecond),
                    ceiling: perSecond(report.rawInsertPerSecond) + " raw",
                    ratio: BenchLine.percent(report.importPerSecond, of: report.rawInsertPerSecond),
                    target: "≥100,000/s", verdict: report.importPerSecond >= 100_000 ? .met : .missed),
            ]
        } catch {
            return [.failed("Contacts (\(size))", target: "p99 < 1 ms; ≥100,000/s", error: error)]
        }
    }

    static func reload(log: (String) -> Void) async -> [BenchLine] {
        let benchmark = ReloadBenchmark()
        let name = "Reload, \(grouped(benchmark.agents)) agents, \(grouped(benchmark.streams)) streams open"
        do {
            let report = try await benchmark.run(log: log)
            return [
                BenchLine(
                    name: name,
                    measured:
                        "p50 \(milliseconds(report.seconds.percentile(0.5))), max \(milliseconds(report.seconds.max))",
                    ceiling: "—", ratio: "—", target: "report", verdict: .report,
                    notes: [
                        "reload: POST /v1/admin/reload round trip, \(report.seconds.count) reloads, each reading a file that rotates a token, removes an agent and adds one (read, check, compare, apply to routes, router, hub)"
                    ])
            ]
        } catch {
            return [.failed(name, target: "report", error: error)]
        }
    }

    static func router(log: (String) -> Void) async -> [BenchLine] {
        let throughput = RouterThroughput(agents: 10_000, waiting: 100_000, seconds: 8)
        let report = throughput.run()
        var lines = [
            BenchLine(
                name: "Router decisions, 10,000 agents, 100,000 waiting",
                measured: perSecond(Double(report.decisions) / report.elapsed), ceiling: "—", ratio: "—",
                target: "report", verdict: .report,
                notes: [
                    String(
                        format: "router: state machine alone; %.0f transitions/s; setup %.1f s; %d still waiting",
                        Double(report.transitions) / report.elapsed, report.setupSeconds, report.waitingAtEnd)
                ])
        ]
        let offers = throughput.offersWithEveryAgentAvailable(seconds: 3)
        lines[0].notes.append(
            String(
                format:
                    "router: with all 10,000 agents available, a new item is offered in %@ (%.0f offers/s): the best agent is the front of the queue's free-agent index",
                microseconds(offers.elapsed / Double(max(1, offers.offers))), Double(offers.offers) / offers.elapsed))
        for deadlines in [RouterTimers.Deadlines.spread, .allAtOnce] {
            let timers = RouterTimers(deadlines: deadlines)
            let target = deadlines == .spread ? "p99 < 50 ms" : "report"
            do {
                let report = try await timers.run(log: log)
                let p99 = report.lateness.percentile(0.99)
                lines.append(
                    BenchLine(
                        name:
                            "Router timers, \(grouped(timers.alerts)) pending alerts, deadlines \(deadlines.rawValue)",
                        measured:
                            "late p50 \(milliseconds(report.lateness.percentile(0.5))), p99 \(milliseconds(p99)), max \(milliseconds(report.lateness.max))",
                        ceiling: "—", ratio: "—", target: target,
                        verdict: deadlines == .allAtOnce
                            ? .report : p99 < 0.050 && report.fired >= report.pendingAtPeak ? .met : .missed,
                        notes: [
                            String(
                                format:
                                    "timers (%@): EmbeddedRouter, %d agents; %d alerts pending at the peak, offered in %.1f s; %d timeouts fired, each %.0f s after its offer",
                                deadlines.rawValue, timers.agents, report.pendingAtPeak, report.offerSeconds,
                                report.fired, timers.timeoutSeconds)
                        ]))
            } catch {
                lines.append(.failed("Router timers (\(deadlines.rawValue))", target: target, error: error))
            }
        }
        return lines
    }

    static func memory() async -> [BenchLine] {
        let benchmark = MemoryBenchmark()
        // Issue 18, item 7.
        let target = "≤20 kB a stream, 10,000 < 300 MB, idle < 50 MB"
        do {
            let report = try await benchmark.run()
            let perConnection = (report.connectedBytes - report.idleBytes) / Double(max(1, report.connected))
            let met =
                perConnection <= 20_000 && report.connectedBytes < 300e6 && report.idleBytes < 50e6
                && report.connected == benchmark.agents
            return [
                BenchLine(
                    name: "Memory (RSS), 10,000 agents configured",
                    measured: String(
                        format: "%.1f kB a stream; idle %.0f MB, %d SSE streams %.0f MB", perConnection / 1e3,
                        report.idleBytes / 1e6, report.connected, report.connectedBytes / 1e6),
                    ceiling: "—", ratio: "—", target: target, verdict: met ? .met : .missed,
                    notes: [
                        String(
                            format: "memory: %.1f kB per open SSE stream (VmRSS of the gateway process); idle %.1f MB "
                                + "anonymous (heap, stacks, relocated data) and %.1f MB pages of mapped files (code "
                                + "and read-only data of the executable and its libraries)",
                            perConnection / 1e3, report.idleSplit.anonymous / 1e6, report.idleSplit.file / 1e6)
                    ])
            ]
        } catch {
            return [.failed("Memory", target: target, error: error)]
        }
    }
}
