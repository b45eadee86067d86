import Foundation
import Switchboard
import Synchronization

/// What the routes read per request and a reload (CONTRACT.md §12) replaces: the configuration, the bearer
/// tokens it names, each channel's webhook adapter. A request already running keeps what it read.
public final class ServingState: Sendable {
    struct Parts: Sendable {
        var configuration: Configuration
        var authenticator: TokenAuthenticator
        var adapters: [String: any WebhookAdapter]
    }

    private let parts: Mutex<Parts>

    init(configuration: Configuration, adapters: [String: any WebhookAdapter]) {
        parts = Mutex(
            Parts(
                configuration: configuration, authenticator: TokenAuthenticator(configuration: configuration),
                adapters: adapters))
    }

    public var configuration: Configuration { parts.withLock { $0.configuration } }
    var authenticator: TokenAuthenticator { parts.withLock { $0.authenticator } }
    /// Each channel's webhook adapter, by channel id.
    public var adapters: [String: any WebhookAdapter] { parts.withLock { $0.adapters } }

    /// Puts a reloaded configuration in force: from the next request its tokens are the valid ones and its
    /// channels' webhooks are served (a removed channel's answer `404`, as an unknown one's).
    public func replace(configuration: Configuration, adapters: [String: any WebhookAdapter]) {
        let authenticator = TokenAuthenticator(configuration: configuration)
        parts.withLock {
            $0 = Parts(configuration: configuration, authenticator: authenticator, adapters: adapters)
        }
    }
}

/// Reloads the configuration (`SIGHUP`, `POST /v1/admin/reload`; CONTRACT.md §12). The composition root
/// implements it; reloads run one after the other.
public protocol ConfigurationReloader: Sendable {
    /// Re-reads the configuration and applies it, or throws `400` naming what is invalid and changes nothing.
    /// `trigger` says what asked (`SIGHUP`, the route) in the log.
    func reload(trigger: String) async throws(SwitchboardError) -> ConfigurationChanges
}
