import Foundation
import Logging
import Switchboard
import Testing

@testable import PostgresStorage

/// What is particular to the PostgreSQL store: URLs, migrations, a database that goes away and comes back.
@Suite("PostgresStore", .timeLimit(.minutes(2)))
struct PostgresStoreTests {
    @Test func parsesDatabaseURLs() throws {
        let url = try PostgresDatabaseURL(
            parsing: "postgres://app:s%40cret@db.internal:6543/switchboard?sslmode=require")
        #expect(url.host == "db.internal")
        #expect(url.port == 6543)
        #expect(url.username == "app")
        #expect(url.password == "s@cret")
        #expect(url.database == "switchboard")
        #expect(url.sslMode == .require)
        #expect(url.description == "postgres://app@db.internal:6543/switchboard?sslmode=require")

        let local = try PostgresDatabaseURL(parsing: "postgresql://switchboard@127.0.0.1/sb")
        #expect(local.port == 5432)
        #expect(local.password == nil)
        #expect(local.sslMode == .disable)
        #expect(try PostgresDatabaseURL(parsing: "postgres://u@db.example.com/sb").sslMode == .prefer)
        #expect(try PostgresDatabaseURL(parsing: "postgres://u@[::1]:5433/sb").host == "::1")
    }

    @Test(arguments: [
        ("postgres://u:hunter2@/sb", "names no host"),
        ("postgres://:hunter2@db/sb", "names no user"),
        ("postgres://u:hunter2@db:5432/", "names no database"),
        ("postgres://u:hunter2@db:5432/sb?sslmode=maybe", "sslmode maybe is not one of"),
        ("postgres://u:hunter2@db:5432/sb?pool=3", "unknown parameter pool"),
        ("mysql://u:hunter2@db/sb", "not a postgres:// URL"),
    ])
    func refusesBadURLsNamingTheProblemNotThePassword(url: String, problem: String) {
        do {
            _ = try PostgresDatabaseURL(parsing: url)
            Issue.record("\(problem): accepted")
        } catch let error as SwitchboardError {
            #expect(error.status == 400)
            #expect(error.field == "database")
            #expect(error.message.contains(problem), "\(error.message)")
            #expect(!error.message.contains("hunter2"), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func masksThePassword() {
        #expect(PostgresDatabaseURL.masked("postgres://u:hunter2@db:5432/sb") == "postgres://u:***@db:5432/sb")
        #expect(PostgresDatabaseURL.masked("postgres://u@db/sb") == "postgres://u@db/sb")
    }

    @Test func migrationsAreNamedAndAppliedOnceEvenWhenInstancesStartTogether() async throws {
        #expect(
            PostgresStore.migrationNames == [
                "v1-initial-schema", "v2-replay-nonces", "v3-concatenation-parts", "v4-core-notification-outbox",
                "v5-core-events", "v6-retention-and-erasure-indexes", "v7-routing-decisions", "v8-work-items",
                "v9-outbound-provider-id-index", "v10-one-customer-index", "v11-closed-conversation-sweep",
                "v12-core-event-completion",
            ])
        let database = try await PostgresTestDatabase.create()
        do {
            // Two instances start at once on an empty database: one migrates, the other finds it done.
            let stores = [
                PostgresStore(
                    url: database.url, options: PostgresTestDatabase.options, logger: PostgresTestDatabase.logger),
                PostgresStore(
                    url: database.url, options: PostgresTestDatabase.options, logger: PostgresTestDatabase.logger),
            ]
            async let first = stores[0].migrate()
            async let second = stores[1].migrate()
            let applied = try await [first, second]
            #expect(applied.filter { $0 == PostgresStore.migrationNames }.count == 1)
            #expect(applied.filter(\.isEmpty).count == 1)
            // Reopening an up-to-date database migrates nothing and loses nothing.
            let store = try await database.open()
            let conversation = try await openConversation(in: store)
            #expect(try await database.open().migrate() == [])
            #expect(try await database.open().conversation(id: conversation.id) == conversation)
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }

    /// `v10-one-customer-index`: a new conversation writes one index led by the customer instead of two, and a
    /// lookup by customer alone (erasure) and by channel and customer (the API) both go through it.
    @Test func oneIndexLedByTheCustomerServesLookupsByCustomer() async throws {
        try await PostgresTestDatabase.withStore { store in
            _ = try await openConversation(in: store)
            let (indexes, plans) = try await store.withSession { db in
                let indexes = try await db.rows(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'conversation'"
                ).map { row -> (String, String) in (try row.required("indexname"), try row.required("indexdef")) }
                // The tables are tiny: without this the planner reads them whole, whatever the indexes.
                try await db.run("SET enable_seqscan = off")
                var plans: [String] = []
                for sql in [
                    "SELECT id FROM conversation WHERE customer_phone = $1",
                    "SELECT id FROM conversation WHERE channel_id = $2 AND customer_phone = $1 ORDER BY created_at DESC",
                ] {
                    let lines = try await db.rows("EXPLAIN " + sql, [customer, channel]).map { row -> String in
                        try row.required("QUERY PLAN")
                    }
                    plans.append(lines.joined(separator: "\n"))
                }
                try await db.run("RESET enable_seqscan")
                return (indexes, plans)
            }
            let definitions = Dictionary(indexes, uniquingKeysWith: { (first: String, _: String) in first })
            #expect(definitions["conversation_by_phone"] == nil, "\(definitions.keys.sorted())")
            #expect(
                definitions["conversation_by_customer"]?.hasSuffix("(customer_phone, channel_id, created_at)") == true,
                "\(definitions)")
            for plan in plans { #expect(plan.contains("conversation_by_customer"), "\(plan)") }
        }
    }

    @Test func withStoreRunsThePoolForTheBody() async throws {
        let database = try await PostgresTestDatabase.create()
        do {
            var url = try PostgresTestDatabase.serverURL()
            url.database = database.url.database
            let urlText = "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)"
            let conversation = try await PostgresStore.withStore(url: urlText, logger: PostgresTestDatabase.logger) {
                store in
                try await openConversation(in: store)
            }
            let found = try await PostgresStore.withStore(url: urlText, logger: PostgresTestDatabase.logger) { store in
                try await store.conversation(id: conversation.id)
            }
            #expect(found == conversation)
            await database.remove()
        } catch {
            await database.remove()
            throw error
        }
    }

    @Test func refusedConnectionIsUnavailableQuickly() async throws {
        // Nothing listens on port 1: connecting is refused at once. Without the store's bound on the wait for a
        // connection, the pool would queue the call until its circuit breaker opens (60 s).
        let url = PostgresDatabaseURL(host: "127.0.0.1", port: 1, username: "u", password: "hunter2", database: "sb")
        let store = PostgresStore(
            url: url, options: .init(connectionTimeout: .seconds(1)), logger: PostgresTestDatabase.logger)
        let running = Task { await store.run() }
        defer { running.cancel() }
        await expectUnavailableWithin(.seconds(10)) { try await store.migrate() }
        await expectUnavailableWithin(.seconds(10)) { _ = try await store.recordInbound(inbound(key: "k1")) }
        do {
            try await store.ping()
            Issue.record("ping succeeded with nothing listening")
        } catch let error as SwitchboardError {
            #expect(error.message.contains("database unavailable"), "\(error.message)")
            #expect(!error.message.contains("hunter2"))
        }
    }

    /// The store's sessions are ended and new ones refused (as when the server restarts or fails over): every
    /// call answers 503 within the connection timeout (plus slack for a loaded machine); once connections are
    /// allowed again, calls succeed on the same store, without reopening it.
    @Test func databaseGoingAwayIsUnavailableThenRecovers() async throws {
        let database = try await PostgresTestDatabase.create()
        let name = database.url.database
        do {
            let store = try await database.open(
                options: .init(connectionTimeout: .seconds(3), maximumConnections: 2))
            let conversation = try await openConversation(in: store)

            try await PostgresTestDatabase.administer(database.server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS false")
            try await PostgresTestDatabase.administer(
                database.server,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")

            for index in 0..<3 {
                await expectUnavailableWithin(.seconds(10)) {
                    _ = try await store.recordInbound(inbound(key: "down-\(index)"))
                }
            }
            await expectUnavailableWithin(.seconds(10)) { try await store.ping() }

            try await PostgresTestDatabase.administer(database.server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
            // The pool retries with a growing backoff; recordInbound is idempotent (dedupe), so it is simply
            // called again until it gets through.
            let deadline = ContinuousClock.now + .seconds(30)
            var outcome: InboundOutcome?
            while outcome == nil && ContinuousClock.now < deadline {
                do {
                    outcome = try await store.recordInbound(inbound(key: "after", receivedAt: at(5)))
                } catch let error as SwitchboardError where error.status == 503 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(outcome != nil, "the store did not reconnect within 30 s")
            let messages = try await store.messages(conversationID: conversation.id)
            #expect(messages.map(\.providerMessageID) == ["SM-in-1", "SM-after"])
            await database.remove()
        } catch {
            try? await PostgresTestDatabase.administer(
                database.server, "ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
            await database.remove()
            throw error
        }
    }

    /// A server that turned read-only (a standby, or the old primary after a failover) answers writes with
    /// SQLSTATE 25006: that is 503 too, reads still work, and writes succeed once the server takes them again.
    @Test func readOnlyServerRefusesWritesAsUnavailable() async throws {
        let database = try await PostgresTestDatabase.create()
        let name = database.url.database
        do {
            let store = try await database.open()
            let conversation = try await openConversation(in: store)
            try await setReadOnly(true, database)
            // The pooled connection was ended while idle: the store notices at BEGIN and takes a new one, which
            // is read-only.
            do {
                _ = try await store.recordInbound(inbound(key: "while-read-only"))
                Issue.record("a write succeeded on a read-only server")
            } catch let error as SwitchboardError {
                #expect(error.status == 503)
                #expect(error.message.contains("25006"), "\(error.message)")
            }
            #expect(try await store.conversation(id: conversation.id) == conversation)

            try await setReadOnly(false, database)
            let (continued, _, _) = try await stored(inbound(key: "writable-again"), in: store)
            #expect(continued.id == conversation.id)
            await database.remove()
        } catch {
            try? await PostgresTestDatabase.administer(
                database.server, "ALTER DATABASE \(name) RESET default_transaction_read_only")
            await database.remove()
            throw error
        }
    }

    /// Makes new sessions of the database read-only (or not) and ends the current ones, so the store's next
    /// connections have the setting.
    func setReadOnly(_ readOnly: Bool, _ database: PostgresTestDatabase) async throws {
        let name = database.url.database
        try await PostgresTestDatabase.administer(
            database.server,
            readOnly
                ? "ALTER DATABASE \(name) SET default_transaction_read_only = on"
                : "ALTER DATABASE \(name) RESET default_transaction_read_only")
        try await PostgresTestDatabase.administer(
            database.server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
    }

    /// `body` throws ``SwitchboardError`` `unavailable` within `limit`.
    func expectUnavailableWithin(
        _ limit: Duration, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        let started = ContinuousClock.now
        await expectSwitchboardError(status: 503, code: "unavailable", sourceLocation: sourceLocation, body)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < limit, "503 took \(elapsed)", sourceLocation: sourceLocation)
    }

    @Test func importsManyContactsThroughCopy() async throws {
        try await withStore(.postgres) { (store: any Store) async throws in
            let count = 12_345
            let contacts = (0..<count).map { index in
                contact(String(format: "ct_%06d", index), phone: "+1415555\(String(format: "%04d", index % 5000))")
            }
            let started = ContinuousClock.now
            #expect(try await store.importContacts(contacts) == count)
            let elapsed = ContinuousClock.now - started
            // Ids already stored are skipped, also within one file.
            #expect(try await store.importContacts(Array(contacts.prefix(10)) + [contact("ct_new")]) == 1)
            // Several contacts of one number come back in the file's order.
            #expect(
                try await store.contacts(mobilePhoneE164: "+14155550007").map(\.id) == [
                    "ct_000007", "ct_005007", "ct_010007",
                ])
            print("imported \(count) contacts in \(elapsed)")
            // COPY's text format escapes what would break a row.
            var odd = contact("ct_odd", phone: "+14155559999")
            odd.name = "Tab\there\nnew line\r\\N \\ back \"quoted\" é 😀"
            odd.attributes = ["note": "a\tb\\c\nd", "empty": ""]
            #expect(try await store.importContacts([odd]) == 1)
            #expect(try await store.contact(id: "ct_odd") == odd)
        }
    }
}
