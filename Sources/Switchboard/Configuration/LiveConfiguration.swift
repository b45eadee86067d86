import Synchronization

/// The configuration in force and each channel's capabilities, shared by the parts that read them per request
/// (the gateway, the outbox worker). A reload (CONTRACT.md §12) puts new ones in place; a request already
/// running keeps the values it read.
public final class LiveConfiguration: Sendable {
    /// What a reload replaces in one step: a reader never sees a configuration with another's capabilities.
    public struct Snapshot: Sendable {
        public var configuration: Configuration
        /// What each channel's provider can do, by channel id.
        public var capabilities: [String: ChannelCapabilities]

        public init(configuration: Configuration, capabilities: [String: ChannelCapabilities]) {
            self.configuration = configuration
            self.capabilities = capabilities
        }
    }

    private let state: Mutex<Snapshot>

    public init(configuration: Configuration, capabilities: [String: ChannelCapabilities]) {
        state = Mutex(Snapshot(configuration: configuration, capabilities: capabilities))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }
    public var configuration: Configuration { state.withLock { $0.configuration } }
    public var capabilities: [String: ChannelCapabilities] { state.withLock { $0.capabilities } }

    /// Puts a reloaded configuration and its channels' capabilities in force.
    public func replace(with snapshot: Snapshot) {
        state.withLock { $0 = snapshot }
    }
}
