import Foundation

/// When a failed send is tried again: exponential backoff with jitter, at least what the provider asked for.
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelay: Double
    public var maxDelay: Double
    /// Fraction of the delay added or removed at random (0.2 = ±20 %).
    public var jitter: Double

    public init(baseDelay: Double = 1, maxDelay: Double = 300, jitter: Double = 0.2) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// Seconds to wait before the next attempt, after `attempts` attempts, given the provider's `Retry-After`.
    public func delay(
        afterAttempts attempts: Int, retryAfter: Double?, random: Double = .random(in: -1...1)
    )
        -> Double
    {
        let exponent = Double(max(0, attempts - 1))
        let backoff = min(maxDelay, baseDelay * pow(2, exponent))
        let jittered = max(0, backoff * (1 + jitter * random))
        return max(jittered, retryAfter ?? 0)
    }
}
