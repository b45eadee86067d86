import Foundation
import Switchboard
import Testing

/// The remote core's outbox: kept until completed, due again after a retry's time, surviving a restart.
@Suite("Store conformance: core notification outbox")
struct CoreNotificationConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func lifecycle(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.enqueueCoreNotification(CoreNotification(id: "n1", body: #"{"a":1}"#, createdAt: t0))
            try await store.enqueueCoreNotification(CoreNotification(id: "n2", body: #"{"b":2}"#, createdAt: at(1)))
            // The same id again keeps the first body.
            try await store.enqueueCoreNotification(CoreNotification(id: "n1", body: "other", createdAt: at(2)))
            let due = try await store.dueCoreNotifications(now: at(5), limit: 10)
            #expect(due.map(\.id) == ["n1", "n2"])
            #expect(due.first?.body == #"{"a":1}"#)
            #expect(try await store.nextCoreNotificationAttempt() == t0)

            try await store.retryCoreNotification(id: "n1", nextAttemptAt: at(30), error: "HTTP 503")
            #expect(try await store.dueCoreNotifications(now: at(5), limit: 10).map(\.id) == ["n2"])
            let later = try await store.dueCoreNotifications(now: at(30), limit: 10)
            #expect(later.first { $0.id == "n1" }?.attempts == 1)
            #expect(later.first { $0.id == "n1" }?.lastError == "HTTP 503")

            try await store.completeCoreNotification(id: "n2")
            try await store.completeCoreNotification(id: "n1")
            #expect(try await store.dueCoreNotifications(now: at(60), limit: 10).isEmpty)
            #expect(try await store.nextCoreNotificationAttempt() == nil)
        }
    }

    @Test(arguments: StoreKind.persistent)
    func survivesARestart(kind: StoreKind) async throws {
        try await withDatabase(kind) { database in
            try await database.open().enqueueCoreNotification(CoreNotification(id: "kept", body: "{}", createdAt: t0))
            #expect(try await database.open().dueCoreNotifications(now: at(1), limit: 5).map(\.id) == ["kept"])
        }
    }
}
