import Foundation
import Hummingbird
import Switchboard

/// `/healthz`, `/readyz`, `/metrics` (CONTRACT.md §5, §10).
struct HealthRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("/readyz") { _, _ in
            guard !services.draining.isDraining else {
                throw SwitchboardError.unavailable("the gateway is shutting down (draining after SIGTERM)")
            }
            do {
                try await services.health.checkDatabase()
            } catch {
                throw SwitchboardError.unavailable("the database is unreachable: \(error)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
        router.get("/metrics") { _, _ in
            if let depth = try? await services.health.outboxDepth() {
                services.metrics.set("switchboard_outbox_depth", [:], to: Double(depth))
            }
            if services.configuration.router.mode == .remote, let depth = try? await services.health.coreOutboxDepth() {
                services.metrics.set("switchboard_core_outbox_depth", [:], to: Double(depth))
            }
            var byPresence: [String: Double] = [:]
            for status in PresenceStatus.allCases { byPresence[status.rawValue] = 0 }
            for agent in await services.router.agents() { byPresence[agent.presence.rawValue, default: 0] += 1 }
            services.metrics.replaceGauge("switchboard_agents", series: byPresence, label: "presence")
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: services.metrics.render())))
        }
    }
}
