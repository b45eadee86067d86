import NIOCore
import Synchronization

/// Everything the server observed, shared between the event loop threads and the test's tasks.
final class ServerRecord: Sendable {
    private struct State {
        var requests: [RecordedRequest] = []
        var acceptedConnections = 0
        var openChannels: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
        var nextWaiterID = 0
        var waiters: [Int: (count: Int, continuation: CheckedContinuation<[RecordedRequest], any Error>)] = [:]
    }

    private let state = Mutex(State())

    var requests: [RecordedRequest] { state.withLock { $0.requests } }
    var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }

    /// Registers a newly accepted connection and returns its 1-based number; closes it at once after shutdown.
    func connectionOpened(_ channel: any Channel) -> Int {
        let (number, isShutDown) = state.withLock { state in
            state.acceptedConnections += 1
            if !state.isShutDown { state.openChannels[ObjectIdentifier(channel)] = channel }
            return (state.acceptedConnections, state.isShutDown)
        }
        if isShutDown { channel.close(promise: nil) }
        return number
    }

    func connectionClosed(_ channel: any Channel) {
        _ = state.withLock { $0.openChannels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func record(_ request: RecordedRequest) {
        let ready = state.withLock { state in
            state.requests.append(request)
            let ready = state.waiters.filter { $0.value.count <= state.requests.count }
            for id in ready.keys { state.waiters.removeValue(forKey: id) }
            return (ready.values.map(\.continuation), state.requests)
        }
        for continuation in ready.0 { continuation.resume(returning: ready.1) }
    }

    /// Marks the server shut down and returns the connections still open, for closing.
    func shutDown() -> [any Channel] {
        state.withLock { state in
            state.isShutDown = true
            defer { state.openChannels.removeAll() }
            return Array(state.openChannels.values)
        }
    }

    func waitForRequests(count: Int) async throws -> [RecordedRequest] {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome: Result<[RecordedRequest], any Error>? = state.withLock { state in
                    if state.requests.count >= count { return .success(state.requests) }
                    // Checked under the lock: a cancellation handler that ran before this found nothing to resume.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = (count, continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
