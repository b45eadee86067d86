import Foundation
import Hummingbird
import Switchboard
import UnixSignals

/// `POST /v1/admin/reload` (CONTRACT.md §12): the admin reloads the configuration, as `SIGHUP` does.
struct AdminRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.post("/v1/admin/reload") { request, _ in
            guard try services.authenticator.principal(of: request) == .admin else {
                throw SwitchboardError.forbidden("reloading the configuration needs the adminToken")
            }
            guard let reloader = services.reloader else {
                throw SwitchboardError.notFound("this gateway was started without a configuration to reload")
            }
            let changes = try await reloader.reload(trigger: "POST /v1/admin/reload")
            return try Response.json(ReloadBody(changes: changes.changes, restartNeeded: changes.restartNeeded))
        }
    }
}

/// `200 {"changes": [...], "restartNeeded": [...]}`.
struct ReloadBody: Encodable {
    var changes: [String]
    var restartNeeded: [String]
}

/// Reloads on each of `signals` (`SIGHUP`) until the server shuts down. A refused reload changes nothing and is
/// logged by the reloader, as every reload is.
struct ReloadOnSignal: Sendable {
    let reloader: any ConfigurationReloader
    let signals: [UnixSignal]

    func run() async {
        for await signal in await UnixSignalsSequence(trapping: signals) {
            _ = try? await reloader.reload(trigger: "\(signal)")
        }
    }
}
