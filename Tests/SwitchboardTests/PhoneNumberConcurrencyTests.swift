import Dispatch
import Testing

@testable import Switchboard

@Suite("PhoneNumber from many threads")
struct PhoneNumberConcurrencyTests {
    /// Person-typed numbers with their regions.
    static let inputs: [(text: String, region: String)] =
        nationalNumbers.map { ($0.text, $0.region) } + [("011 44 20 7946 0018", "US"), ("+1 983 555 0100", "US")]

    @Test("many tasks parse at once and agree with one thread")
    func tasks() async throws {
        let expected = try Self.inputs.map { try PhoneNumber.parse($0.text, region: $0.region) }
        let results = await withTaskGroup(of: (Int, PhoneNumber?).self) { group in
            for _ in 0..<20 {
                for (index, input) in Self.inputs.enumerated() {
                    group.addTask {
                        let provider = CustomerAddress.fromProvider(String(expected[index].e164.dropFirst()))
                        let number = try? PhoneNumber.parse(input.text, region: input.region)
                        return (index, provider.phoneNumber == number ? number : nil)
                    }
                }
            }
            var collected: [(Int, PhoneNumber?)] = []
            for await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 20 * Self.inputs.count)
        for (index, number) in results {
            #expect(number == expected[index])
        }
    }

    @Test("many threads parse at once")
    func threads() throws {
        let expected = try Self.inputs.map { try PhoneNumber.parse($0.text, region: $0.region) }
        let mismatches = Mismatches()
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            for (index, input) in Self.inputs.enumerated().shuffled() {
                if (try? PhoneNumber.parse(input.text, region: input.region)) != expected[index] {
                    mismatches.record("\(iteration): \(input.region) \(input.text)")
                }
            }
        }
        #expect(mismatches.all.isEmpty)
    }
}

/// Thread-safe list of what went wrong on other threads.
private final class Mismatches: @unchecked Sendable {
    private let queue = DispatchQueue(label: "mismatches")
    private var items: [String] = []

    func record(_ item: String) { queue.sync { items.append(item) } }
    var all: [String] { queue.sync { items } }
}
