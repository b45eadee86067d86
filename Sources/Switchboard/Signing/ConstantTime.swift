/// Compares two secrets or signatures in time that depends only on their lengths, never on where they
/// first differ, so a forger cannot learn a correct signature byte by byte from response times.
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    let a = Array(a)
    let b = Array(b)
    // A length difference is not secret (every signature of one algorithm has the same length), but the
    // loop still runs over the longer input so the work does not depend on which is shorter.
    var difference = UInt8(a.count == b.count ? 0 : 1)
    let count = max(a.count, b.count)
    for i in 0..<count {
        let x = i < a.count ? a[i] : 0
        let y = i < b.count ? b[i] : 0
        difference |= x ^ y
    }
    return difference == 0
}

/// ``constantTimeEquals(_:_:)`` over the UTF-8 bytes of two strings.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    constantTimeEquals(Array(a.utf8), Array(b.utf8))
}
