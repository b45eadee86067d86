import Foundation
import Storage
import Switchboard
import Testing

/// The `Store` implementations the conformance suite runs against. Every conformance test takes
/// `arguments: StoreKind.allCases`; a store joins by adding a case here and its ``TestDatabase``.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A file database (DatabasePool, WAL): the production shape.
    case sqliteFile
    /// A private in-memory database (DatabaseQueue).
    case sqliteMemory
    /// A fresh database on the PostgreSQL server `SWITCHBOARD_TEST_POSTGRES_URL` names.
    case postgres

    var testDescription: String { rawValue }

    /// Whether opening the database again (a restart) finds what was stored.
    var isPersistent: Bool {
        switch self {
        case .sqliteFile, .postgres: true
        case .sqliteMemory: false
        }
    }

    /// The kinds the restart tests run against.
    static var persistent: [StoreKind] { allCases.filter(\.isPersistent) }

    func makeDatabase() async throws -> TestDatabase {
        let options = SQLiteStore.Options(
            sendingLease: Conformance.sendingLease, agentEventsKept: Conformance.agentEventsKept)
        switch self {
        case .sqliteFile:
            let path = temporaryDatabasePath()
            return TestDatabase(
                open: { try SQLiteStore(path: path, options: options) },
                remove: { removeDatabaseFiles(path) })
        case .sqliteMemory:
            // One instance: "reopening" an in-memory database would lose it, so it is never reopened.
            let store = try SQLiteStore(path: ":memory:", options: options)
            return TestDatabase(open: { store }, remove: {})
        case .postgres:
            let database = try await PostgresTestDatabase.create()
            return TestDatabase(open: { try await database.open() }, remove: { await database.remove() })
        }
    }
}

/// One empty database for one test. `open()` again is a restart (for persistent kinds); `remove()` closes every
/// store opened on it and deletes it.
struct TestDatabase: Sendable {
    let open: @Sendable () async throws -> any Store
    let remove: @Sendable () async -> Void
}

/// Constants every store under test is opened with.
enum Conformance {
    /// How long an entry stays `sending` before it is due again (crash recovery).
    static let sendingLease: TimeInterval = 60
    static let agentEventsKept = 1000
}

/// Runs `body` with a fresh store of `kind`, removing its database afterwards.
func withStore<T>(_ kind: StoreKind, _ body: (any Store) async throws -> T) async throws -> T {
    try await withDatabase(kind) { database in try await body(database.open()) }
}

/// Runs `body` with a fresh database of `kind` that it may open several times; its stores are closed and the
/// database removed afterwards, whether `body` threw or not.
func withDatabase<T>(_ kind: StoreKind, _ body: (TestDatabase) async throws -> T) async throws -> T {
    let database = try await kind.makeDatabase()
    do {
        let result = try await body(database)
        await database.remove()
        return result
    } catch {
        await database.remove()
        throw error
    }
}

func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("switchboard-storage-test-\(UUID().uuidString).sqlite").path
}

func removeDatabaseFiles(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

// MARK: Test data

/// A fixed instant on a whole millisecond (stored times round to milliseconds).
let t0 = Date(timeIntervalSince1970: 1_750_000_000.125)

/// `t0` plus `seconds`.
func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

let channel = "twilio-main"
let customer = "+14155550100"

func inbound(
    key: String, from sender: String = customer, channelID: String = channel, isPhoneNumber: Bool = true,
    text: String = "hello", medium: Medium = .sms, author: MessageAuthor = .customer,
    media: [MediaAttachment] = [], receivedAt: Date = t0
) -> InboundRecord {
    InboundRecord(
        channelID: channelID, dedupeKey: key, providerMessageID: "SM-" + key, customerPhone: sender,
        customerIsPhoneNumber: isPhoneNumber, medium: medium, queue: "support", author: author, text: text,
        media: media, receivedAt: receivedAt)
}

func report(
    key: String, providerID: String, status: MessageStatus, error: ProviderErrorDetail? = nil,
    optedOut: Bool = false, channelID: String = channel, receivedAt: Date = at(10)
) -> DeliveryReportRecord {
    DeliveryReportRecord(
        channelID: channelID, dedupeKey: key, providerMessageID: providerID, status: status, error: error,
        optedOut: optedOut, receivedAt: receivedAt)
}

func contact(_ id: String, phone: String = customer, createdAt: Date = t0) -> Contact {
    Contact(
        id: id, name: "Contact \(id)", mobilePhone: phone, mobilePhoneE164: phone, region: "US",
        attributes: ["tier": "gold", "id": id], createdAt: createdAt)
}

/// A store call answered with another outcome than the test needs.
struct UnexpectedOutcome: Error, CustomStringConvertible {
    var description: String
}

/// Stores an inbound message and returns what was stored; a duplicate fails the test.
func stored(
    _ record: InboundRecord, in store: any Store
) async throws -> (
    conversation: Conversation, message: Message, opened: Bool
) {
    let outcome = try await store.recordInbound(record)
    guard case .stored(let conversation, let message, let opened) = outcome else {
        throw UnexpectedOutcome(description: "expected \(record.dedupeKey) to be stored, got \(outcome)")
    }
    return (conversation, message, opened)
}

/// An open conversation with one inbound message, for outbound tests.
func openConversation(
    in store: any Store, key: String = "in-1", from sender: String = customer
) async throws
    -> Conversation
{
    try await stored(inbound(key: key, from: sender), in: store).conversation
}

/// A reply that went through `markSending` and `markSent` with `providerID`.
func sentReply(in store: any Store, conversation: Conversation, providerID: String) async throws -> Message {
    let reply = try await store.enqueueReply(
        ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "on it", createdAt: at(1)))
    try await store.markSending(messageID: reply.id, at: at(2))
    return try await store.markSent(messageID: reply.id, providerMessageID: providerID, at: at(3))
}

/// Expects `body` to throw a `SwitchboardError` with this HTTP status (and code, when given).
func expectSwitchboardError(
    status: Int, code: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected SwitchboardError \(status), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as SwitchboardError {
        #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
        if let code { #expect(error.code == code, "\(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected SwitchboardError \(status), got \(error)", sourceLocation: sourceLocation)
    }
}
