import Foundation
import Switchboard

/// The HTTP Basic credentials a Bandwidth messaging application puts on its callbacks (`Authorization: Basic
/// base64(user:password)`, RFC 7617).
public enum BandwidthBasicAuth {
    public static let header = "Authorization"

    /// The `Authorization` value for `username` and `password`.
    public static func headerValue(username: String, password: String) -> String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// Whether `authorization` carries exactly `username` and `password`. The scheme is matched in any case; both
    /// parts are compared in constant time, and both comparisons always run.
    public static func matches(_ authorization: String, username: String, password: String) -> Bool {
        let parts = authorization.trimmingWhitespaces().split(
            separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: parts[1].trimmingWhitespaces()),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return false }
        let user = decoded[decoded.startIndex..<colon]
        let secret = decoded[decoded.index(after: colon)...]
        let userMatches = constantTimeEquals(Array(user), Array(username.utf8))
        let passwordMatches = constantTimeEquals(Array(secret), Array(password.utf8))
        return userMatches && passwordMatches
    }
}
