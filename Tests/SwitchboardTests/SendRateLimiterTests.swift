import Foundation
import Switchboard
import Testing

@Suite("Send-rate limits in segments")
struct SendRateLimiterTests {
    @Test func segmentsFollowGSM7AndUCS2Limits() {
        #expect(SMSSegments.count("") == 1)
        #expect(SMSSegments.count(String(repeating: "a", count: 160)) == 1)
        #expect(SMSSegments.count(String(repeating: "a", count: 161)) == 2)
        #expect(SMSSegments.count(String(repeating: "a", count: 306)) == 2)
        #expect(SMSSegments.count(String(repeating: "a", count: 307)) == 3)
        // Extension characters take two septets.
        #expect(SMSSegments.count(String(repeating: "€", count: 80)) == 1)
        #expect(SMSSegments.count(String(repeating: "€", count: 81)) == 2)
        // One character outside GSM-7 makes the whole text UCS-2.
        #expect(SMSSegments.count(String(repeating: "a", count: 69) + "✓") == 1)
        #expect(SMSSegments.count(String(repeating: "a", count: 70) + "✓") == 2)
        #expect(SMSSegments.count(String(repeating: "я", count: 134)) == 2)
        #expect(SMSSegments.count(String(repeating: "я", count: 135)) == 3)
    }

    /// Three sends reserved 0.5 s apart whose waits all ended at the same moment (their claims committed in one
    /// transaction) leave 0.5 s apart again; sends leaving on schedule are not delayed.
    @Test func sendsBunchedAfterTheirWaitAreSpacedAgain() {
        var limiter = SendRateLimiter(rates: ["slow": 2])
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect((0..<3).map { _ in limiter.reserve(channelID: "slow", segments: 1, now: start) } == [0, 0.5, 1.0])
        let late = start.addingTimeInterval(1.0)
        let waits = (0..<3).map { _ in limiter.departure(channelID: "slow", segments: 1, now: late) }
        #expect(waits == [0, 0.5, 1.0])
        let onSchedule = start.addingTimeInterval(2.5)
        #expect(limiter.departure(channelID: "slow", segments: 1, now: onSchedule) == 0)
        #expect(limiter.departure(channelID: "other", segments: 9, now: onSchedule) == 0)
    }

    /// A virtual clock: 100 one-segment sends wanted at once on a 10/s channel go out over 9.9 s, 0.1 s apart,
    /// while an unlimited channel and a second limited channel are not held back by the first.
    @Test func sendsAreSpacedPerChannelByTheirSegments() {
        var limiter = SendRateLimiter(rates: ["busy": 10, "quiet": 2])
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let waits = (0..<100).map { _ in limiter.reserve(channelID: "busy", segments: 1, now: start) }
        #expect(waits.first == 0)
        #expect(abs(waits.last! - 9.9) < 1e-5)
        #expect(zip(waits, waits.dropFirst()).allSatisfy { abs($1 - $0 - 0.1) < 1e-5 })
        #expect(limiter.reserve(channelID: "unlimited", segments: 5, now: start) == 0)
        #expect(limiter.reserve(channelID: "quiet", segments: 1, now: start) == 0)
        // Three segments at 2/s hold the channel for 1.5 s.
        #expect(limiter.reserve(channelID: "quiet", segments: 3, now: start) == 0.5)
        #expect(limiter.reserve(channelID: "quiet", segments: 1, now: start) == 2.0)
        // Time passing frees the channel: no wait once the schedule is behind the clock.
        #expect(limiter.reserve(channelID: "quiet", segments: 1, now: start.addingTimeInterval(60)) == 0)

        // Over any window, a channel sends at most rate × window segments (plus the send that starts it).
        let windowStart = start.addingTimeInterval(3)
        let inWindow = waits.filter { start.addingTimeInterval($0) >= windowStart && $0 < 4 }.count
        #expect(inWindow <= 10)
    }
}
