import Foundation
import Switchboard

/// Verifies and decodes one Vonage channel's SMS API webhooks (`inbound`, `status`) sent as GET (query), POST
/// form or POST JSON (providers.md §3).
///
/// Every request must carry a valid `sig` over all its parameters and a signed `timestamp` within
/// ±`replayWindowSeconds` (default 86,400 s). Success is `200` with an empty body.
public struct VonageWebhookAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    /// Vonage ignores the body; any 200 stops its retries.
    public static let emptyResponse = WebhookReply(status: 200)

    /// The window when the channel sets no `replayWindowSeconds` (CONTRACT.md §2).
    public static let defaultReplayWindowSeconds = 86_400

    var replayWindow: TimeInterval { TimeInterval(channel.replayWindowSeconds ?? Self.defaultReplayWindowSeconds) }

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let what = "\(channel.id) \(request.kind) webhook"
        guard request.kind == "inbound" || request.kind == "status" else {
            throw .notFound("\(channel.id): Vonage has no webhook kind \(request.kind) (use inbound or status)")
        }
        let parameters = try Self.parameters(of: request, limits: context.limits, what: what)
        try verifySignature(parameters)
        let replayGuard = try replayGuard(parameters, now: now)
        do throws(SwitchboardError) {
            switch request.kind {
            case "inbound":
                var message = try inboundMessage(parameters, what: what, now: now)
                message.replayGuard = replayGuard
                return .events([.message(message)], reply: Self.emptyResponse)
            default:
                guard var report = try deliveryReport(parameters, what: what, now: now) else {
                    if replayGuard.outsideWindow { throw replayGuard.timestampRefusal(channelID: channel.id) }
                    return .immediate(Self.emptyResponse)
                }
                report.replayGuard = replayGuard
                return .events([.status(report)], reply: Self.emptyResponse)
            }
        } catch {
            // A stale request can only be accepted as a stored event's duplicate, which needs its ids: without
            // them the authentication failure answers (CONTRACT.md §3: authentication before required fields).
            if replayGuard.outsideWindow { throw replayGuard.timestampRefusal(channelID: channel.id) }
            throw error
        }
    }

    /// The request's parameters in arrival order: the query, then for a POST the form or the top-level JSON
    /// members of the body (JSON numbers and booleans as their text). Vonage signs every request parameter,
    /// so a POST's query parameters (if any) are covered too.
    static func parameters(
        of request: WebhookRequest, limits: Configuration.Limits, what: String
    ) throws(SwitchboardError) -> VonageParameters {
        let query = try FormParameters.decode(
            Array(request.query.utf8), maxParameters: limits.maxFormParams, what: what)
        var pairs = query.pairs.map { (name: $0.name, value: $0.value) }
        switch request.method.uppercased() {
        case "GET":
            break
        case "POST":
            switch mediaType(of: request.header("Content-Type")) {
            case "application/x-www-form-urlencoded":
                let form = try FormParameters.decode(
                    request.body, maxParameters: limits.maxFormParams - pairs.count, what: what)
                pairs += form.pairs.map { (name: $0.name, value: $0.value) }
            case "application/json":
                let json = try JSONValue.parse(request.body, maxDepth: limits.maxJSONDepth, what: what)
                guard case .object(let members) = json else {
                    throw .invalidRequest("\(what): the JSON body is not an object")
                }
                for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                    switch value {
                    case .bool(let flag): pairs.append((name, flag ? "true" : "false"))
                    case .string, .number: pairs.append((name, value.stringValue ?? ""))
                    case .null: pairs.append((name, ""))
                    case .array, .object:
                        throw .invalidRequest("\(what): JSON member \(name) is not a scalar", field: name)
                    }
                }
            case let type:
                throw .unsupportedMediaType(
                    "\(what): Content-Type must be application/x-www-form-urlencoded or application/json, "
                        + "not \(type ?? "none")")
            }
        default:
            throw .methodNotAllowed("\(what): method \(request.method) is not allowed (use GET or POST)")
        }
        // Vonage never repeats a parameter. Refusing repeats keeps what is read and what is signed the same
        // value (the signature string keeps one value per name), so a copied signature cannot vouch for an
        // extra, different value.
        var seen = Set<String>()
        for pair in pairs where !seen.insert(pair.name).inserted {
            throw .invalidRequest("\(what): parameter \(pair.name) is given more than once", field: pair.name)
        }
        return VonageParameters(pairs)
    }

    private func verifySignature(_ parameters: VonageParameters) throws(SwitchboardError) {
        guard let signature = parameters.first(VonageSignature.parameterName), !signature.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): the signed-request parameter sig is missing (enable signed webhooks)", field: "sig")
        }
        let valid = VonageSignature.isValid(
            signature: signature, parameters: parameters.pairs, secret: channel.credential("signatureSecret") ?? "",
            method: VonageProvider.signatureMethod(of: channel) ?? .md5hash)
        guard valid else {
            throw .signatureInvalid(
                "\(channel.id): sig does not match; check signatureSecret and signatureMethod", field: "sig")
        }
    }

    /// The signed `timestamp` (unix seconds) and `nonce` as a ``ReplayGuard``: a timestamp beyond
    /// ±`replayWindowSeconds` of `now` is marked outside the window (the store refuses the event unless it is a
    /// duplicate of one already stored); a missing or non-numeric timestamp is refused at once.
    func replayGuard(_ parameters: VonageParameters, now: Date) throws(SwitchboardError) -> ReplayGuard {
        guard let text = parameters.first("timestamp"), let seconds = Double(text), seconds.isFinite else {
            throw .timestampOutsideWindow(
                "\(channel.id): the signed timestamp is missing or not unix seconds", field: "timestamp")
        }
        return ReplayGuard(
            nonce: parameters.first("nonce"), outsideWindow: abs(now.timeIntervalSince1970 - seconds) > replayWindow,
            windowStart: now.addingTimeInterval(-replayWindow))
    }

    private func required(_ p: VonageParameters, _ name: String, what: String) throws(SwitchboardError) -> String {
        guard let value = p.first(name), !value.isEmpty else { throw .missingField(name, in: what) }
        return value
    }

    func inboundMessage(_ p: VonageParameters, what: String, now: Date) throws(SwitchboardError) -> InboundMessage {
        let id = try required(p, "messageId", what: what)
        let from = try required(p, "msisdn", what: what)
        let to = try required(p, "to", what: what)
        return InboundMessage(
            providerMessageID: id, dedupeKey: id, from: from, to: to, text: Self.text(of: p), medium: .sms,
            receivedAt: now, concatenation: try Self.concatenation(p, to: to, what: what))
    }

    /// The part of a concatenated message (`concat=true` with `concat-ref`, `concat-part`, `concat-total`), or
    /// `nil` for a whole message. A part number outside 1…total is refused `400 invalid-request`.
    static func concatenation(
        _ p: VonageParameters, to: String, what: String
    ) throws(SwitchboardError) -> ConcatenationPart? {
        guard p.first("concat")?.lowercased() == "true" else { return nil }
        guard let reference = p.first("concat-ref"), !reference.isEmpty else {
            throw .missingField("concat-ref", in: what)
        }
        guard let total = p.first("concat-total").flatMap({ Int($0) }), total >= 1, total <= 255 else {
            throw .invalidRequest("\(what): concat-total must be a number from 1 to 255", field: "concat-total")
        }
        guard let part = p.first("concat-part").flatMap({ Int($0) }), part >= 1, part <= total else {
            throw .invalidRequest("\(what): concat-part must be a number from 1 to concat-total", field: "concat-part")
        }
        return ConcatenationPart(recipient: to, reference: reference, part: part, total: total)
    }

    /// `text` for `text` and `unicode` messages. A `binary` message has no text: it is kept as
    /// `[binary udh=<hex> data=<hex>]` so the agent sees that something arrived and nothing is lost.
    static func text(of p: VonageParameters) -> String {
        if p.first("type")?.lowercased() == "binary" {
            let udh = p.first("udh").map { " udh=\($0)" } ?? ""
            return "[binary\(udh) data=\(p.first("data") ?? "")]"
        }
        return p.first("text") ?? ""
    }

    func deliveryReport(_ p: VonageParameters, what: String, now: Date) throws(SwitchboardError) -> DeliveryReport? {
        let id = try required(p, "messageId", what: what)
        let vonageStatus = try required(p, "status", what: what)
        let errorCode = p.first("err-code")?.trimmingWhitespaces()
        guard let mapped = VonageStatus.messageStatus(vonageStatus, errorCode: errorCode) else { return nil }
        return DeliveryReport(
            providerMessageID: id, dedupeKey: id + ":" + vonageStatus, status: mapped.status, error: mapped.error,
            optedOut: mapped.status == .optedOut, receivedAt: now)
    }
}

/// A Vonage webhook's parameters, whatever the transport: name/value pairs in arrival order.
struct VonageParameters {
    var pairs: [(name: String, value: String)]
    init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }
    func first(_ name: String) -> String? { pairs.first { $0.name == name }?.value }
}
