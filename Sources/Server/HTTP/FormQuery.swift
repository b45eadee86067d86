import Hummingbird
import Switchboard

extension Request {
    /// The query string read as a form (`application/x-www-form-urlencoded`): `+` is a space and `%2B` a plus, as
    /// browsers and HTTP clients encode it. A malformed escape or invalid UTF-8 is `400 invalid-request`; more
    /// than `limits.maxFormParams` parameters `400 limit-exceeded`.
    func formQuery(_ limits: Configuration.Limits) throws(SwitchboardError) -> FormParameters {
        try FormParameters.decode(
            Array((uri.query ?? "").utf8), maxParameters: limits.maxFormParams,
            what: "the query of \(method.rawValue) \(uri.path)")
    }
}
