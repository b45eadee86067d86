import Foundation

// `switchboard-bench latency [messages] [rate]`: the figures issue notes report. More benchmarks come with
// the Benchmarks issue; each is bounded in time and uses loopback only.
let arguments = CommandLine.arguments.dropFirst()
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
