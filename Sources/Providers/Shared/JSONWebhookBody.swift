import Switchboard

/// The first checks of a webhook that a provider posts as JSON, in CONTRACT.md §3's order: the route's kind (`404`),
/// the method (`405`), the content type (`415`) and the body's decoding (`400`). Authentication and required
/// fields, which differ by provider, come after.
struct JSONWebhookBody {
    /// How refusals name the request: `"<channel> <kind> webhook"`.
    let what: String
    let document: JSONValue

    /// - Parameter owner: who has no such kind, in the `404`'s words (`"Telnyx"`, `"a bot channel"`).
    init(
        _ request: WebhookRequest, channel: Configuration.Channel, owner: String, kinds: [String],
        limits: Configuration.Limits
    ) throws(SwitchboardError) {
        what = "\(channel.id) \(request.kind) webhook"
        guard kinds.contains(request.kind) else {
            throw .notFound(
                "\(channel.id): \(owner) has no webhook kind \(request.kind) (use \(kinds.joined(separator: " or ")))")
        }
        guard request.method.uppercased() == "POST" else {
            throw .methodNotAllowed("\(what): method \(request.method) is not allowed (use POST)")
        }
        let type = mediaType(of: request.header("Content-Type"))
        guard type == "application/json" else {
            throw .unsupportedMediaType("\(what): Content-Type must be application/json, not \(type ?? "none")")
        }
        document = try JSONValue.parse(request.body, maxDepth: limits.maxJSONDepth, what: what)
    }
}
