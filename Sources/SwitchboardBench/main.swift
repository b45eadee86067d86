import Foundation

// `SwitchboardBench [all|ingest|kannel|latency|core|outbound|contacts|router|reload|memory|retention|pgbench]`:
// runs the benchmarks (all by default), each bounded in time and on loopback only, and prints one table: figure,
// ceiling measured in the same run, ratio, target. `make bench` runs it from the package root after a release build.
//
// Environment: SWITCHBOARD_BENCH_DATABASE (ingest store, default `sqlite:` = a fresh temporary file),
// SWITCHBOARD_BENCH_INSTANCES (gateways sharing that database, default 1), SWITCHBOARD_BENCH_CONTACTS
// (default 1000000; 10000000 for the 10M line).
//
// Internal: `serve-gateway CONFIG PORTFILE`, `fake-provider PORTFILE` and `busy-neighbour` are the child processes it
// starts.
let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "all"
let log = { (line: String) in FileHandle.standardError.write(Data((line + "\n").utf8)) }

switch command {
case "serve-gateway" where arguments.count == 3:
    try await GatewayProcess.serve(configPath: arguments[1], portPath: arguments[2])
    exit(0)
case "fake-provider" where arguments.count == 2:
    try await FakeProvider.serve(portPath: arguments[1])
    exit(0)
case "busy-neighbour":
    BusyNeighbour.spin()
default:
    break
}

let known = [
    "ingest", "kannel", "latency", "core", "outbound", "contacts", "router", "reload", "memory", "retention",
]
// `pgbench`: the PostgreSQL ceiling lines alone (part of `ingest` when SWITCHBOARD_BENCH_POSTGRES_URL is set).
let selected = command == "all" ? known : arguments.filter((known + ["pgbench"]).contains)
guard !selected.isEmpty else {
    log("usage: SwitchboardBench [all | \((known + ["pgbench"]).joined(separator: " | "))…]")
    exit(64)
}
let machine = Machine.description()
let started = ContinuousClock.now
var lines: [BenchLine] = []
for name in selected {
    let began = ContinuousClock.now
    log("running \(name)…")
    switch name {
    case "ingest": lines += await BenchLines.ingest(log: log)
    case "kannel": lines += await BenchLines.kannel(log: log)
    case "latency": lines += await BenchLines.latency()
    case "core": lines += await BenchLines.core()
    case "outbound": lines += await BenchLines.outbound()
    case "contacts": lines += await BenchLines.contacts(log: log)
    case "router": lines += await BenchLines.router(log: log)
    case "reload": lines += await BenchLines.reload(log: log)
    case "retention": lines += await BenchLines.retention(log: log)
    case "pgbench":
        lines += await BenchLines.pgbenchCeilings(
            on: BenchLines.environment("SWITCHBOARD_BENCH_POSTGRES_URL")
                ?? "postgres://switchboard@127.0.0.1:54330/switchboard",
            log: log
        ).map(\.line)
    default: lines += await BenchLines.memory()
    }
    log(String(format: "%@ took %.0f s", name, (ContinuousClock.now - began).seconds))
}
BenchPostgres.dropCreatedDatabases()
print(machine)
print(
    String(
        format: "switchboard bench, %.0f s in all (release build, loopback)", (ContinuousClock.now - started).seconds))
print("")
print(BenchTable.render(BenchLines.comparedWithPeer(lines)))
