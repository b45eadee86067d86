import Foundation
import Synchronization

/// One clock for every open event stream's keep-alive comment: a single task ticks every `interval` and calls each
/// registered stream, instead of a sleeping task per stream. It runs while streams are registered.
final class HeartbeatTicker: Sendable {
    private struct State {
        var beats: [UUID: @Sendable () -> Void] = [:]
        var ticking = false
    }
    private let state = Mutex(State())

    /// Calls `beat` every `interval` (the first within one interval) until ``unregister(_:)``.
    func register(_ id: UUID, every interval: Duration, _ beat: @escaping @Sendable () -> Void) {
        let start = state.withLock { state -> Bool in
            state.beats[id] = beat
            defer { state.ticking = true }
            return !state.ticking
        }
        guard start else { return }
        Task { [self] in
            while true {
                try? await Task.sleep(for: interval)
                let beats = state.withLock { state -> [@Sendable () -> Void]? in
                    guard !state.beats.isEmpty else {
                        state.ticking = false
                        return nil
                    }
                    return Array(state.beats.values)
                }
                guard let beats else { return }
                for beat in beats { beat() }
            }
        }
    }

    func unregister(_ id: UUID) {
        state.withLock { _ = $0.beats.removeValue(forKey: id) }
    }
}
