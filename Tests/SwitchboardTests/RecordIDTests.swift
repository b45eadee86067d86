import Foundation
import Testing

@testable import Switchboard

@Suite("RecordID")
struct RecordIDTests {
    @Test func isThePrefixAndAVersion7UUIDInLowerCaseHex() throws {
        let id = RecordID.make("msg", now: Date(timeIntervalSince1970: 1_750_000_000.125))
        let hex = try #require(id.split(separator: "_").last)
        #expect(id.hasPrefix("msg_"))
        #expect(hex.count == 32)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
        // 48 bits of milliseconds, the version, the variant.
        #expect(hex.prefix(12) == String(1_750_000_000_125, radix: 16).leftPadded(to: 12))
        #expect(Array(hex)[12] == "7")
        #expect("89ab".contains(Array(hex)[16]))
    }

    @Test func laterIDsSortAfterEarlierOnesAndNoneRepeats() {
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        // 2 ms apart, so that floating-point rounding never puts two in the same millisecond.
        let ids = (0..<2000).map { RecordID.make("conv", now: start.addingTimeInterval(Double($0) * 0.002)) }
        #expect(Set(ids).count == ids.count)
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        let sameInstant = (0..<2000).map { _ in RecordID.make("conv", now: start) }
        #expect(Set(sameInstant).count == sameInstant.count)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
