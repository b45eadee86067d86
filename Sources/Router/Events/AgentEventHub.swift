import Foundation
import Logging
import Switchboard
import Synchronization

/// One event as written on an SSE stream.
package struct StreamEvent: Sendable, Equatable {
    package var sequence: Int64
    package var type: String
    package var data: String

    package init(sequence: Int64, type: String, data: String) {
        self.sequence = sequence
        self.type = type
        self.data = data
    }

    /// `event:`, `id:` and `data:` lines and the blank line that ends the event.
    package var wireFormat: String { "event: \(type)\nid: \(sequence)\ndata: \(data)\n\n" }
}

/// Numbers every agent event, keeps it in the store for replay (`Last-Event-ID`), and writes it to the
/// agent's open streams in sequence order. A supervisor's streams also get every agent's presence events.
public final class AgentEventHub: AgentEventSink, Sendable {
    /// Where one open stream takes its events (called under the hub's lock, in sequence order).
    struct Subscriber {
        let deliver: @Sendable (StreamEvent) -> Void
        let finish: @Sendable () -> Void
    }
    struct AgentState {
        var subscribers: [UUID: Subscriber] = [:]
        /// Events numbered but not yet written because an earlier number is still being stored.
        var waiting: [Int64: StreamEvent] = [:]
        /// The next number to write; `nil` until the first event of this process.
        var nextToWrite: Int64?
        /// In a cluster: the highest number written to this instance's streams of the agent (`nil`: none open).
        var delivered: Int64?
        /// In a cluster: a catch-up from the store is running, and whether another was asked for meanwhile.
        var catchingUp = false
        var catchUpAgain = false
    }

    let store: any AgentEventStore
    let clock: any WallClock
    let logger: Logger
    /// Who gets every agent's presence events; a reload replaces them (``reconfigure(supervisorIDs:)``).
    let supervisors: Mutex<Set<String>>
    let metrics: Metrics
    let agents = Mutex([String: AgentState]())
    /// In a cluster: told of every stored event (NOTIFY to the other instances); streams are then written from
    /// the store (``catchUp(agentID:)``) rather than directly, so that every instance writes the same way.
    package let clusterAnnouncer = Mutex<(@Sendable (_ agentID: String, _ sequence: Int64) async -> Void)?>(nil)
    /// The scenario of each open notification, so that its close is counted under it.
    private let openScenarios = Mutex([String: Scenario]())

    public init(
        store: any AgentEventStore, supervisorIDs: Set<String>, clock: any WallClock, logger: Logger, metrics: Metrics
    ) {
        self.store = store
        supervisors = Mutex(supervisorIDs)
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    public func publish(_ event: AgentEvent, to agentID: String) async {
        await publish([(event, agentID)])
    }

    /// Stores the events (and a presence event's copies for the supervisors) in one store call, then writes
    /// each to its streams: a notification and its auto-accept close cost one transaction, not two.
    public func publish(_ events: [(event: AgentEvent, agentID: String)]) async {
        var encoded: [(event: AgentEvent, agentID: String, data: String)] = []
        let supervisorIDs = supervisors.withLock { $0 }
        for (event, agentID) in events {
            count(event)
            let data: String
            do {
                data = try AgentEventEncoding.data(of: event)
            } catch {
                logger.error("cannot encode \(event.type) event: \(error)")
                continue
            }
            encoded.append((event, agentID, data))
            if case .presence = event {
                for supervisor in supervisorIDs.sorted() where supervisor != agentID {
                    encoded.append((event, supervisor, data))
                }
            }
        }
        guard !encoded.isEmpty else { return }
        let now = clock.now()
        let sequences: [Int64]
        do {
            sequences = try await store.appendAgentEvents(
                encoded.map { NewAgentEvent(agentID: $0.agentID, type: $0.event.type, data: $0.data, at: now) })
        } catch {
            let types = encoded.map(\.event.type).joined(separator: ", ")
            logger.error("cannot store \(types) events for agents \(Set(encoded.map(\.agentID)).sorted()): \(error)")
            return
        }
        if let announce = clusterAnnouncer.withLock({ $0 }) {
            // In a cluster every instance writes streams from the store, this one included.
            var newest: [String: Int64] = [:]
            for (entry, sequence) in zip(encoded, sequences) { newest[entry.agentID] = sequence }
            for (agentID, sequence) in newest.sorted(by: { $0.key < $1.key }) {
                await catchUp(agentID: agentID)
                await announce(agentID, sequence)
            }
            return
        }
        for (entry, sequence) in zip(encoded, sequences) {
            deliver(StreamEvent(sequence: sequence, type: entry.event.type, data: entry.data), to: entry.agentID)
        }
    }

    /// `switchboard_notifications_total{scenario,outcome}` (CONTRACT.md §10).
    private func count(_ event: AgentEvent) {
        switch event {
        case .notification(let notification):
            openScenarios.withLock { $0[notification.id] = notification.scenario }
        case .notificationClosed(let id, let outcome):
            let scenario = openScenarios.withLock { $0.removeValue(forKey: id) }
            metrics.increment(
                "switchboard_notifications_total",
                ["scenario": scenario?.rawValue ?? "unknown", "outcome": outcome.rawValue])
        default:
            break
        }
    }

    /// Writes in sequence order: an event stored while an earlier one is still being stored waits for it.
    private func deliver(_ event: StreamEvent, to agentID: String) {
        agents.withLock { agents in
            var state = agents[agentID] ?? AgentState()
            if state.nextToWrite == nil || event.sequence < state.nextToWrite! {
                state.nextToWrite = event.sequence
            }
            state.waiting[event.sequence] = event
            while let next = state.nextToWrite, let ready = state.waiting.removeValue(forKey: next) {
                for subscriber in state.subscribers.values { subscriber.deliver(ready) }
                state.nextToWrite = next + 1
            }
            // A number lost to a failed write would hold every later event back: don't wait long for it.
            if state.waiting.count > 64, let lowest = state.waiting.keys.min() {
                state.nextToWrite = lowest
            }
            agents[agentID] = state
        }
    }

    /// Opens a stream of the agent's live events. Call ``unsubscribe(agentID:id:)`` when the client leaves.
    package func subscribe(agentID: String) -> (id: UUID, events: AsyncStream<StreamEvent>) {
        let (stream, continuation) = AsyncStream<StreamEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = subscribe(
            agentID: agentID, deliver: { continuation.yield($0) }, finish: { continuation.finish() })
        return (id, stream)
    }

    /// Opens a stream of the agent's live events that calls `deliver` with each (in order, without suspending:
    /// hand it on, don't work in it) and `finish` when the hub ends the stream. An SSE stream's own buffer takes
    /// them directly, without a task of its own per stream.
    package func subscribe(
        agentID: String, deliver: @escaping @Sendable (StreamEvent) -> Void,
        finish: @escaping @Sendable () -> Void
    ) -> UUID {
        let id = UUID()
        agents.withLock {
            $0[agentID, default: AgentState()].subscribers[id] = Subscriber(deliver: deliver, finish: finish)
        }
        return id
    }

    package func unsubscribe(agentID: String, id: UUID) {
        let subscriber = agents.withLock { agents in
            let removed = agents[agentID]?.subscribers.removeValue(forKey: id)
            if agents[agentID]?.subscribers.isEmpty == true { agents[agentID]?.delivered = nil }
            return removed
        }
        subscriber?.finish()
    }

    /// Ends every open stream (graceful shutdown).
    package func finishAll() {
        let all = agents.withLock { agents in
            let all = agents.values.flatMap { $0.subscribers.values }
            for key in agents.keys { agents[key]?.subscribers = [:] }
            return all
        }
        for subscriber in all { subscriber.finish() }
    }

    /// A reload: the supervisors from now on.
    public func reconfigure(supervisorIDs: Set<String>) {
        supervisors.withLock { $0 = supervisorIDs }
    }

    /// Ends the agent's open streams (a reload removed it); returns how many there were.
    @discardableResult
    package func finishStreams(of agentID: String) -> Int {
        let ended = agents.withLock { agents in
            let ended = agents[agentID]?.subscribers.values.map { $0 } ?? []
            agents[agentID]?.subscribers = [:]
            agents[agentID]?.delivered = nil
            return ended
        }
        for subscriber in ended { subscriber.finish() }
        return ended.count
    }

    /// How many streams the agent has open.
    package func openStreams(agentID: String) -> Int {
        agents.withLock { $0[agentID]?.subscribers.count ?? 0 }
    }
}
