import Foundation
import Switchboard
import Testing

/// The router's decision log (CONTRACT.md §12): appended in order, read newest first by conversation, work item or
/// agent, limited, swept by age, kept across a restart.
@Suite("Store conformance: decision log")
struct DecisionConformanceTests {
    static let log = [
        RoutingDecision(at: at(0), kind: .waiting, conversationID: "c1", reason: "nobody available"),
        RoutingDecision(
            at: at(1), kind: .offered, conversationID: "c1", agentID: "alice", notificationID: "n1",
            reason: "alice has the most free capacity"),
        RoutingDecision(at: at(2), kind: .offered, workItemID: "wi1", agentID: "bob", reason: "bob is free"),
        RoutingDecision(at: at(3), kind: .timedOut, conversationID: "c1", agentID: "alice", reason: "no answer"),
        RoutingDecision(at: at(4), kind: .presence, agentID: "alice", reason: "missed a notification: inactive"),
    ]

    @Test(arguments: StoreKind.allCases)
    func readNewestFirstByItemOrAgent(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.appendDecisions(Array(Self.log.prefix(2)))
            try await store.appendDecisions(Array(Self.log.dropFirst(2)))
            #expect(try await store.decisions(matching: .init(limit: 10)) == Self.log.reversed())
            #expect(
                try await store.decisions(matching: .init(conversationID: "c1")).map(\.kind) == [
                    .timedOut, .offered, .waiting,
                ])
            #expect(try await store.decisions(matching: .init(workItemID: "wi1")) == [Self.log[2]])
            #expect(
                try await store.decisions(matching: .init(agentID: "alice", limit: 2)) == [Self.log[4], Self.log[3]])
            #expect(try await store.decisions(matching: .init(conversationID: "c1", agentID: "alice")).count == 2)
            #expect(try await store.decisions(matching: .init(conversationID: "nope")).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retentionDeletesTheOldestInBatches(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.appendDecisions(Self.log)
            #expect(try await store.deleteDecisions(madeBefore: at(3), limit: 2) == 2)
            #expect(try await store.deleteDecisions(madeBefore: at(3), limit: 2) == 1)
            #expect(try await store.deleteDecisions(madeBefore: at(3), limit: 2) == 0)
            #expect(try await store.decisions(matching: .init()).map(\.at) == [at(4), at(3)])
        }
    }

    @Test(arguments: StoreKind.persistent)
    func survivesARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            try await database.open().appendDecisions(Self.log)
            #expect(try await database.open().decisions(matching: .init(conversationID: "c1")).count == 3)
        }
    }
}
