import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Switchboard

/// `/webhooks/{channelId}/{kind}`: limits, then the channel's adapter (verify, decode), then the gateway
/// (store, notify), and the provider's success answer only once everything is committed.
struct WebhookRoutes: Sendable {
    let services: GatewayServices

    static let methods: [HTTPRequest.Method] = [.get, .post, .options, .put, .patch, .delete, .head]

    func register(on router: Router<ConnectionContext>) {
        for method in Self.methods {
            router.on("/webhooks/:channelId/:kind", method: method) { request, context in
                try await handle(request, context: context)
            }
        }
    }

    func handle(_ request: Request, context: ConnectionContext) async throws -> Response {
        let started = ContinuousClock.now
        let channelID = context.parameters.get("channelId") ?? ""
        let kind = context.parameters.get("kind") ?? ""
        guard let adapter = services.adapters[channelID] else {
            throw SwitchboardError.notFound("channel \(channelID) is not configured on this gateway")
        }
        let provider = adapter.channel.provider.rawValue
        do {
            let response = try await process(request, adapter: adapter, kind: kind)
            services.metrics.observe(
                "switchboard_ingest_duration_seconds", ["provider": provider], (ContinuousClock.now - started).seconds)
            return response
        } catch let error as SwitchboardError {
            services.metrics.increment(
                "switchboard_webhooks_total", ["provider": provider, "kind": kind, "outcome": error.code])
            services.logger.info(
                "webhook \(channelID)/\(kind) refused: \(error.status) \(error.code): \(error.message)")
            throw error
        }
    }

    private func process(_ request: Request, adapter: any WebhookAdapter, kind: String) async throws -> Response {
        let limits = services.configuration.limits
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw SwitchboardError(
                status: 413, code: "body-too-large",
                message: "\(adapter.channel.id): the body is larger than limits.maxBodyBytes (\(limits.maxBodyBytes))",
                field: "maxBodyBytes")
        }
        let webhook = WebhookRequest(
            method: request.method.rawValue, kind: kind, query: request.uri.query ?? "",
            headers: request.headers.map { (name: $0.name.rawName, value: $0.value) },
            body: Array(buffer: body))
        let provider = adapter.channel.provider.rawValue
        switch try adapter.handle(webhook, now: services.clock.now()) {
        case .immediate(let reply):
            services.metrics.increment(
                "switchboard_webhooks_total",
                ["provider": provider, "kind": kind, "outcome": "ignored"])
            return Response(reply)
        case .events(let events, let reply):
            for event in events {
                let outcome = try await services.gateway.ingest(event, on: adapter.channel)
                services.metrics.increment(
                    "switchboard_webhooks_total",
                    [
                        "provider": provider, "kind": kind,
                        "outcome": outcome == .stored ? "stored" : "duplicate",
                    ])
            }
            return Response(reply)
        case .conversationEvent(.handoff(let handoff), let reply):
            let (outcome, conversationID) = try await services.gateway.ingestHandoff(handoff, on: adapter.channel)
            services.metrics.increment(
                "switchboard_webhooks_total",
                ["provider": provider, "kind": kind, "outcome": outcome == .stored ? "stored" : "duplicate"])
            return Response(reply(conversationID))
        case .conversationEvent:
            // Only events that name a conversation belong here; anything else is an adapter bug.
            throw SwitchboardError(
                status: 500, code: "internal",
                message: "\(adapter.channel.id): \(kind) produced an event that names no conversation")
        }
    }
}

extension Response {
    init(_ reply: WebhookReply) {
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        self.init(
            status: .init(code: reply.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
