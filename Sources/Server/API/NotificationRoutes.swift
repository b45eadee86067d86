import Foundation
import Hummingbird
import Router
import Switchboard

/// `/v1/notifications/{id}/accept|reject` (CONTRACT.md §5): the router decides who wins; losers get 409.
struct NotificationRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.post("/v1/notifications/:id/accept") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            return try Response.json(
                try await services.router.accept(
                    notificationID: id, by: principal.routerActor, connectingCallsThrough: services.gateway))
        }
        router.post("/v1/notifications/:id/reject") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            return try Response.json(try await services.router.reject(notificationID: id, by: principal.routerActor))
        }
    }
}
