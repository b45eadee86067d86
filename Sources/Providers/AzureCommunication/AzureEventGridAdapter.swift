import Foundation
import Switchboard

/// Verifies and decodes one ACS channel's Event Grid deliveries (kind `events`): the subscription handshakes
/// (`SubscriptionValidationEvent`, CloudEvents `OPTIONS`), `SMSReceived`, `SMSDeliveryReportReceived` and
/// `IncomingCall`, in the Event Grid or CloudEvents schema, single or batched; and the Call Automation callbacks of
/// the calls the gateway answered (kind `call-events`, ``AzureCallEvents``).
///
/// Neither Event Grid nor Call Automation signs deliveries; every request must carry `?code=<eventGridSecret>`
/// (providers.md §2.4; the gateway puts it into each answer's `callbackUri`).
public struct AzureEventGridAdapter: WebhookAdapter {
    public let channel: Configuration.Channel
    public let context: WebhookContext

    public init(channel: Configuration.Channel, context: WebhookContext) {
        self.channel = channel
        self.context = context
    }

    /// The query parameter carrying the shared secret.
    public static let secretParameter = "code"

    static let acceptedMediaTypes: Set<String> = [
        "application/json", "application/cloudevents+json", "application/cloudevents-batch+json",
    ]

    public func handle(_ request: WebhookRequest, now: Date) throws(SwitchboardError) -> WebhookResult {
        let what = "\(channel.id) \(request.kind) webhook"
        guard request.kind == "events" || request.kind == AzureCallAutomationAPI.callbackKind else {
            throw .notFound("\(channel.id): ACS has no webhook kind \(request.kind) (use events or call-events)")
        }
        let method = request.method.uppercased()
        guard method == "POST" || method == "OPTIONS" else {
            throw .methodNotAllowed("\(what): method \(request.method) is not allowed (use POST or OPTIONS)")
        }
        let query = try FormParameters.decode(
            Array(request.query.utf8), maxParameters: context.limits.maxFormParams, what: what)

        if method == "OPTIONS" {
            try verifySecret(query)
            return .immediate(abuseProtectionReply(origin: request.header("WebHook-Request-Origin")))
        }

        let type = mediaType(of: request.header("Content-Type"))
        guard let type, Self.acceptedMediaTypes.contains(type) else {
            throw .unsupportedMediaType(
                "\(what): Content-Type must be application/json, application/cloudevents+json or "
                    + "application/cloudevents-batch+json, not \(type ?? "none")")
        }
        let document = try JSONValue.parse(request.body, maxDepth: context.limits.maxJSONDepth, what: what)
        try verifySecret(query)

        if request.kind == AzureCallAutomationAPI.callbackKind {
            let callEvents = try AzureCallEvents(document, what: what, now: now)
            if callEvents.events.isEmpty { return .immediate(WebhookReply(status: 200)) }
            return .events(callEvents.events.map(InboundEvent.call), reply: WebhookReply(status: 200))
        }
        let batch = try AzureEventBatch(document, what: what, now: now)
        if let code = batch.validationCode { return .immediate(Self.validationReply(code: code)) }
        if batch.events.isEmpty { return .immediate(WebhookReply(status: 200)) }
        return .events(batch.events.map(answeredByBot), reply: WebhookReply(status: 200))
    }

    /// With `voice.bot.target` an incoming call goes to the bot first (the gateway adds it to the call), and agents
    /// are notified when the bot hands over (CONTRACT.md §3 "Voice.", §4).
    private func answeredByBot(_ event: InboundEvent) -> InboundEvent {
        guard channel.voice?.bot?.target != nil, case .call(var call) = event,
            case .incoming(let providerContext, _) = call.change
        else { return event }
        call.change = .incoming(providerContext: providerContext, notifyNow: false)
        return .call(call)
    }

    private func verifySecret(_ query: FormParameters) throws(SwitchboardError) {
        guard let code = query.first(Self.secretParameter), !code.isEmpty else {
            throw .signatureMissing(
                "\(channel.id): query parameter code is missing; the Event Grid subscription's endpoint must end "
                    + "in ?code=<eventGridSecret>", field: Self.secretParameter)
        }
        guard constantTimeEquals(code, channel.credential("eventGridSecret") ?? "") else {
            throw .signatureInvalid(
                "\(channel.id): query parameter code does not match; check eventGridSecret",
                field: Self.secretParameter)
        }
    }

    /// CloudEvents abuse-protection grant (providers.md §2.3).
    func abuseProtectionReply(origin: String?) -> WebhookReply {
        let origin = origin?.trimmingWhitespaces()
        return WebhookReply(
            status: 200,
            headers: [
                "WebHook-Allowed-Origin": origin.flatMap { $0.isEmpty ? nil : $0 } ?? "*",
                "WebHook-Allowed-Rate": "*",
                "Allow": "POST, OPTIONS",
            ])
    }

    /// `200 {"validationResponse": "<code>"}` (providers.md §2.2).
    static func validationReply(code: String) -> WebhookReply {
        let body = (try? JSONEncoder().encode(["validationResponse": code])) ?? Data()
        return WebhookReply(status: 200, headers: ["Content-Type": "application/json"], body: Array(body))
    }
}
