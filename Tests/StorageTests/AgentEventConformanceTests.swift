import Foundation
import Switchboard
import Testing

/// The agents' event logs for SSE replay.
@Suite("Store conformance: agent events")
struct AgentEventConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func sequencesArePerAgentAndReplayed(kind: StoreKind) async throws {
        try await withStore(kind) { store throws in
            #expect(try await store.lastAgentEventSequence(agentID: "alice") == 0)
            #expect(
                try await store.appendAgentEvent(agentID: "alice", type: "offer", data: #"{"n":1}"#, at: at(1)) == 1)
            #expect(try await store.appendAgentEvent(agentID: "bob", type: "offer", data: #"{"n":1}"#, at: at(2)) == 1)
            #expect(
                try await store.appendAgentEvent(agentID: "alice", type: "toast", data: #"{"n":2}"#, at: at(3)) == 2)
            #expect(try await store.lastAgentEventSequence(agentID: "alice") == 2)

            #expect(
                try await store.agentEvents(agentID: "alice", after: 0) == [
                    StoredAgentEvent(sequence: 1, type: "offer", data: #"{"n":1}"#, at: at(1)),
                    StoredAgentEvent(sequence: 2, type: "toast", data: #"{"n":2}"#, at: at(3)),
                ])
            #expect(try await store.agentEvents(agentID: "alice", after: 1).map(\.sequence) == [2])
            #expect(try await store.agentEvents(agentID: "alice", after: 2).isEmpty)
            #expect(try await store.agentEvents(agentID: "carol", after: 0).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchNumbersEachAgentsEventsInOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.appendAgentEvent(agentID: "bob", type: "presence", data: "0", at: at(1))
            let batch = [("bob", "1"), ("alice", "2"), ("bob", "3"), ("sup", "4"), ("alice", "5")].map {
                NewAgentEvent(agentID: $0.0, type: "presence", data: $0.1, at: at(2))
            }
            #expect(try await store.appendAgentEvents(batch) == [2, 1, 3, 1, 2])
            #expect(try await store.agentEvents(agentID: "bob", after: 0).map(\.data) == ["0", "1", "3"])
            #expect(try await store.agentEvents(agentID: "alice", after: 0).map(\.data) == ["2", "5"])
            #expect(try await store.lastAgentEventSequence(agentID: "sup") == 1)
            #expect(try await store.appendAgentEvents([]).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keepsTheLastThousandPerAgent(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for index in 1...(Conformance.agentEventsKept + 5) {
                _ = try await store.appendAgentEvent(agentID: "alice", type: "tick", data: "\(index)", at: t0)
            }
            _ = try await store.appendAgentEvent(agentID: "bob", type: "tick", data: "1", at: t0)

            let kept = try await store.agentEvents(agentID: "alice", after: 0)
            #expect(kept.count == Conformance.agentEventsKept)
            #expect(kept.first?.sequence == 6)
            #expect(kept.first?.data == "6")
            #expect(kept.last?.sequence == Int64(Conformance.agentEventsKept + 5))
            #expect(try await store.lastAgentEventSequence(agentID: "alice") == Int64(Conformance.agentEventsKept + 5))
            #expect(try await store.agentEvents(agentID: "bob", after: 0).count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAppendsGetDistinctConsecutiveSequences(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let sequences = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await store.appendAgentEvent(agentID: "alice", type: "tick", data: "\(index)", at: t0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(sequences.sorted() == Array(1...50))
            #expect(try await store.agentEvents(agentID: "alice", after: 0).map(\.sequence) == Array(1...50))
        }
    }
}
