import Foundation

// `switchboard-bench latency [messages] [rate]`: the figures issue notes report. More benchmarks come with
// the Benchmarks issue; each is bounded in time and uses loopback only.
// `switchboard-bench router [agents] [waiting] [seconds]`: decisions per second of the routing state machine.
let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "router" {
    let numbers = arguments.dropFirst().compactMap(Double.init)
    var benchmark = RouterThroughput()
    if numbers.count > 0 { benchmark.agents = Int(numbers[0]) }
    if numbers.count > 1 { benchmark.waiting = Int(numbers[1]) }
    if numbers.count > 2 { benchmark.seconds = numbers[2] }
    let report = benchmark.run()
    print("routing state machine: \(benchmark.agents) agents, \(benchmark.waiting) waiting items")
    print(String(format: "  setup %.2f s (sign-ins and notifies)", report.setupSeconds))
    print(
        String(
            format: "  %d transitions, %d decisions in %.2f s: %.0f decisions/s, %.0f transitions/s",
            report.transitions, report.decisions, report.elapsed, Double(report.decisions) / report.elapsed,
            Double(report.transitions) / report.elapsed))
    print("  still waiting at the end: \(report.waitingAtEnd)")
    exit(0)
}
let messages = arguments.dropFirst().first.flatMap(Int.init) ?? 1000
let rate = arguments.dropFirst(2).first.flatMap(Double.init) ?? 200
let benchmark = NotificationLatency(messages: messages, ratePerSecond: rate, agents: 10)
let report = try await benchmark.run()
let ms = { (value: Double) in String(format: "%.2f ms", value * 1000) }
print("webhook → SSE notification, \(messages) inbound SMS at \(Int(rate))/s, 10 agents (auto-accept)")
print("  notifications received: \(report.latencies.count) of \(messages) (\(report.failures) webhook failures)")
print(
    "  p50 \(ms(report.percentile(0.5)))  p90 \(ms(report.percentile(0.9)))  p99 \(ms(report.percentile(0.99)))  max \(ms(report.percentile(1)))"
)
print(String(format: "  elapsed %.2f s", report.elapsed))
