import Foundation
import Switchboard
import Testing

/// Work items as the router leaves them (CONTRACT.md §12): saved by id, the open ones read back oldest first,
/// kept across a restart.
@Suite("Store conformance: work items")
struct WorkItemConformanceTests {
    static func item(
        _ id: String, at seconds: TimeInterval, agent: String? = nil, closed: TimeInterval? = nil
    )
        -> WorkItemRecord
    {
        WorkItemRecord(
            id: id, kind: "case", title: "Case \(id)", queue: "support", priority: 2, assignedAgent: agent,
            createdAt: at(seconds), closedAt: closed.map(at))
    }

    @Test(arguments: StoreKind.allCases)
    func savedItemsAreReplacedByIdAndTheOpenOnesReadBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.saveWorkItems([Self.item("wi2", at: 2), Self.item("wi1", at: 1)])
            try await store.saveWorkItems([Self.item("wi3", at: 3)])
            // Assigned, then closed: the latest save wins.
            try await store.saveWorkItems([Self.item("wi1", at: 1, agent: "alice")])
            try await store.saveWorkItems([Self.item("wi3", at: 3, agent: "bob", closed: 9)])
            let open = try await store.openWorkItems()
            #expect(open.map(\.id) == ["wi1", "wi2"])
            #expect(open.first == Self.item("wi1", at: 1, agent: "alice"))
            #expect(open.last?.assignedAgent == nil)
        }
    }

    @Test(arguments: StoreKind.persistent)
    func survivesARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            try await database.open().saveWorkItems([Self.item("wi1", at: 1, agent: "alice")])
            #expect(try await database.open().openWorkItems() == [Self.item("wi1", at: 1, agent: "alice")])
        }
    }
}
