import Switchboard

extension FormParameters {
    /// The parameters of a form-signing provider's webhook (Twilio, Plivo): a POST's
    /// `application/x-www-form-urlencoded` body, or a GET's query. Other methods `405`, another content type `415`,
    /// a body that does not decode `400` (CONTRACT.md §3 order).
    static func ofFormWebhook(
        _ request: WebhookRequest, maxParameters: Int, what: String
    ) throws(SwitchboardError)
        -> FormParameters
    {
        switch request.method.uppercased() {
        case "POST":
            let type = mediaType(of: request.header("Content-Type"))
            guard type == "application/x-www-form-urlencoded" else {
                throw .unsupportedMediaType(
                    "\(what): Content-Type must be application/x-www-form-urlencoded, not \(type ?? "none")")
            }
            return try decode(request.body, maxParameters: maxParameters, what: what)
        case "GET":
            return try decode(Array(request.query.utf8), maxParameters: maxParameters, what: what)
        default:
            throw .methodNotAllowed("\(what): method \(request.method) is not allowed (use POST or GET)")
        }
    }
}
