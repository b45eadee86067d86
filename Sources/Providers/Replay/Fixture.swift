import Foundation
import Switchboard

/// One recorded provider request and what must happen (CONTRACT.md §7).
///
/// Additions to the contract's format: `{{unique}}` anywhere in `body` or `query` is replaced by a value unique
/// to the replay run (so a fixture can be replayed against the same gateway again); `repeat` sends the request
/// that many times (duplicate delivery); `expect.error` and `expect.field` check a refusal's §9 body;
/// `expect.json` and `expect.headers` must be contained in the answer; `expect.storedMessages` is how many
/// messages the request added to the conversation `expect.message.from` (or `expect.customer`) selects.
struct Fixture: Decodable {
    var channel: String
    var kind: String
    var method: String?
    var query: String?
    var headers: [String: String]?
    var body: String?
    var sign: Bool?
    var `repeat`: Int?
    var expect: Expectation

    struct Expectation: Decodable {
        var status: Int
        var error: String?
        var field: String?
        var json: JSONValue?
        var headers: [String: String]?
        var message: [String: JSONValue]?
        var customer: String?
        var storedMessages: Int?
    }
}
