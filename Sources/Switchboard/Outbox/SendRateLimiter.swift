import Foundation

/// Per-channel send-rate limits in SMS segments per second, as carriers and providers impose them.
///
/// Each channel has its own schedule, so a busy channel never delays another (fair across channels). A send
/// reserves its segments and learns how long to wait before it may go; the reservations of one channel are
/// spaced `segments / rate` seconds apart, so over any stretch a channel sends at most its rate (plus one send).
/// Pure: the caller passes the time, so tests drive it with a virtual clock.
public struct SendRateLimiter: Sendable {
    /// Segments per second by channel id; a channel without an entry (or with a rate ≤ 0) is not limited.
    public private(set) var rates: [String: Double]
    /// When each limited channel's next send may start.
    private var nextStart: [String: Date] = [:]
    /// When each limited channel's next send may actually leave, counted from the last one that left.
    private var nextDeparture: [String: Date] = [:]

    public init(rates: [String: Double]) {
        self.rates = rates
    }

    /// Takes reloaded rates (CONTRACT.md §12); sends already reserved keep their place.
    public mutating func setRates(_ rates: [String: Double]) {
        self.rates = rates
    }

    /// Reserves `segments` on `channelID` for a send wanted at `now`; returns the seconds to wait before sending
    /// (0 when it may go now).
    public mutating func reserve(channelID: String, segments: Int, now: Date) -> TimeInterval {
        guard let rate = rates[channelID], rate > 0 else { return 0 }
        let start = max(now, nextStart[channelID] ?? now)
        nextStart[channelID] = start.addingTimeInterval(Double(max(1, segments)) / rate)
        return start.timeIntervalSince(now)
    }

    /// The second check, just before a reserved send leaves: sends whose waits ended together (the claims that
    /// follow the wait committed in one shared transaction, or a stalled machine woke several at once) are spaced
    /// again from the last departure. Returns the seconds to wait; 0 while sends leave on their schedule.
    public mutating func departure(channelID: String, segments: Int, now: Date) -> TimeInterval {
        guard let rate = rates[channelID], rate > 0 else { return 0 }
        let leave = max(now, nextDeparture[channelID] ?? now)
        nextDeparture[channelID] = leave.addingTimeInterval(Double(max(1, segments)) / rate)
        return leave.timeIntervalSince(now)
    }
}
