import Foundation
import Switchboard
import Testing

/// The retention sweep (CONTRACT.md §12) over a fake store: which cutoffs it asks for, that it goes batch by batch
/// until a batch is not full, and what it counts.
@Suite("Retention sweep")
struct RetentionSweeperTests {
    /// Rows older than any cutoff, by kind, deleted `limit` at a time; every call recorded.
    actor FakeRetentionStore: RetentionStore, DecisionRetentionStore {
        var messages = 0
        var closedConversations = 0
        var messagesOfClosed = 0
        var dedupeKeys = 0
        var nonces = 0
        var decisions = 0
        var calls: [(kind: String, cutoff: Date, limit: Int)] = []

        init(
            messages: Int = 0, closedConversations: Int = 0, messagesOfClosed: Int = 0, dedupeKeys: Int = 0,
            nonces: Int = 0, decisions: Int = 0
        ) {
            self.messages = messages
            self.closedConversations = closedConversations
            self.messagesOfClosed = messagesOfClosed
            self.dedupeKeys = dedupeKeys
            self.nonces = nonces
            self.decisions = decisions
        }

        private func take(_ count: inout Int, _ limit: Int) -> Int {
            let taken = min(count, limit)
            count -= taken
            return taken
        }

        func deleteMessages(createdBefore cutoff: Date, limit: Int) -> Int {
            calls.append(("messages", cutoff, limit))
            return take(&messages, limit)
        }

        func deleteClosedConversations(closedBefore cutoff: Date, limit: Int) -> RetentionDeletion {
            calls.append(("conversations", cutoff, limit))
            let messages = take(&messagesOfClosed, limit)
            return RetentionDeletion(conversations: take(&closedConversations, limit - messages), messages: messages)
        }

        func deleteDedupeKeys(createdBefore cutoff: Date, limit: Int) -> Int {
            calls.append(("dedupeKeys", cutoff, limit))
            return take(&dedupeKeys, limit)
        }

        func deleteReplayNonces(seenBefore cutoff: Date, limit: Int) -> Int {
            calls.append(("replayNonces", cutoff, limit))
            return take(&nonces, limit)
        }

        func deleteDecisions(madeBefore cutoff: Date, limit: Int) -> Int {
            calls.append(("decisions", cutoff, limit))
            return take(&decisions, limit)
        }
    }

    let now = Date(timeIntervalSince1970: 1_750_000_000)
    func days(_ days: Double) -> Date { now.addingTimeInterval(-days * 86400) }

    @Test func sweepsEveryKindInBatchesUntilABatchIsNotFull() async throws {
        let store = FakeRetentionStore(
            messages: 5, closedConversations: 3, messagesOfClosed: 4, dedupeKeys: 4, nonces: 1, decisions: 2)
        let metrics = Metrics()
        let sweeper = RetentionSweeper(
            store: store,
            settings: .init(messagesDays: 30, closedConversationsDays: 0.5, dedupeDays: 7, decisionsDays: 3),
            decisions: store, metrics: metrics, batchSize: 2, pause: .zero)
        let report = try await sweeper.sweep(now: now)
        #expect(
            report
                == RetentionSweeper.Report(
                    messages: 9, conversations: 3, dedupeKeys: 4, replayNonces: 1, decisions: 2))

        let calls = await store.calls
        #expect(calls.allSatisfy { $0.limit == 2 })
        // Closed conversations: 2 messages, 2 messages, 2 conversations, 1 conversation (not full: done).
        #expect(calls.filter { $0.kind == "conversations" }.count == 4)
        #expect(calls.filter { $0.kind == "messages" }.count == 3)
        // A full last batch needs one more call to find nothing left.
        #expect(calls.filter { $0.kind == "dedupeKeys" }.count == 3)
        #expect(calls.filter { $0.kind == "replayNonces" }.count == 1)
        #expect(calls.filter { $0.kind == "decisions" }.count == 2)
        #expect(calls.first { $0.kind == "conversations" }?.cutoff == days(0.5))
        #expect(calls.first { $0.kind == "messages" }?.cutoff == days(30))
        #expect(calls.first { $0.kind == "dedupeKeys" }?.cutoff == days(7))
        #expect(calls.first { $0.kind == "replayNonces" }?.cutoff == days(7))
        #expect(calls.first { $0.kind == "decisions" }?.cutoff == days(3))

        for (kind, count) in [("messages", 9.0), ("conversations", 3), ("dedupeKeys", 4), ("replayNonces", 1)] {
            #expect(metrics.counter("switchboard_retention_deleted_total", ["kind": kind]) == count, "\(kind)")
        }
        #expect(metrics.render().contains(#"switchboard_retention_deleted_total{kind="messages"} 9"#))
    }

    @Test func theFirstSweepWaitsForItsDelay() async throws {
        let store = FakeRetentionStore(dedupeKeys: 1)
        let sweeper = RetentionSweeper(store: store, settings: .init(dedupeDays: 7), pause: .zero)
        let running = Task { await sweeper.run(every: .seconds(60), after: .milliseconds(300)) }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await store.calls.isEmpty)
        let deadline = ContinuousClock.now + .seconds(60)
        while await store.calls.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await store.dedupeKeys == 0)
    }

    @Test func nullKeepsForever() async throws {
        let store = FakeRetentionStore(messages: 5, closedConversations: 3, dedupeKeys: 4, nonces: 1, decisions: 2)
        let sweeper = RetentionSweeper(
            store: store,
            settings: .init(messagesDays: nil, closedConversationsDays: nil, dedupeDays: nil, decisionsDays: nil),
            decisions: store, batchSize: 2, pause: .zero)
        #expect(try await sweeper.sweep(now: now) == RetentionSweeper.Report())
        #expect(await store.calls.isEmpty)
    }

    @Test func theDefaultsSweepDedupeKeysAndNoncesOnly() async throws {
        let store = FakeRetentionStore(messages: 5, closedConversations: 3, dedupeKeys: 4, nonces: 1)
        let report = try await RetentionSweeper(store: store, settings: .init()).sweep(now: now)
        #expect(report == RetentionSweeper.Report(dedupeKeys: 4, replayNonces: 1))
        #expect(Set(await store.calls.map(\.kind)) == ["dedupeKeys", "replayNonces"])
    }

    // MARK: Configuration

    func decoded(_ json: String) throws -> Configuration.RetentionSettings {
        try JSONDecoder().decode(Configuration.self, from: Data(json.utf8)).retention
    }

    @Test func absentKeysTakeTheirDefaultsAndNullKeepsForever() throws {
        #expect(
            try decoded("{}") == .init(messagesDays: nil, closedConversationsDays: nil, dedupeDays: 7, decisionsDays: 7)
        )
        #expect(
            try decoded(#"{"retention": {"messagesDays": 90, "closedConversationsDays": 0.25, "dedupeDays": null}}"#)
                == .init(messagesDays: 90, closedConversationsDays: 0.25, dedupeDays: nil, decisionsDays: 7))
        let encoded = try JSONEncoder().encode(Configuration())
        let json = try JSONDecoder().decode(JSONValue.self, from: encoded)
        #expect(json["retention"]?["messagesDays"] == .null)
        #expect(json["retention"]?["dedupeDays"] == .number(7))
    }

    @Test func settingsBelowTheirMinimumAreRefusedNamingTheKey() throws {
        #expect(Configuration.RetentionSettings().problem() == nil)
        #expect(Configuration.RetentionSettings(dedupeDays: 2).problem() == nil)
        #expect(Configuration.RetentionSettings(dedupeDays: 1.9).problem()?.key == "retention.dedupeDays")
        #expect(Configuration.RetentionSettings(messagesDays: -1).problem()?.key == "retention.messagesDays")
        #expect(Configuration.RetentionSettings(decisionsDays: -0.5).problem()?.key == "retention.decisionsDays")
        #expect(
            Configuration.RetentionSettings(closedConversationsDays: -3).problem()?.key
                == "retention.closedConversationsDays")
    }

    @Test func environmentOverridesReadNumbersAndNull() throws {
        let loaded = try ConfigurationLoader.load(
            path: nil,
            environment: ["SWITCHBOARD_RETENTION_MESSAGESDAYS": "30", "SWITCHBOARD_RETENTION_DEDUPEDAYS": "null"])
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.configuration.retention.messagesDays == 30)
        #expect(loaded.configuration.retention.dedupeDays == nil)
    }

    @Test func aNonNumberIsAConfigErrorNamingTheKey() throws {
        do {
            _ = try ConfigurationLoader.load(
                path: "c.json", environment: [:], read: { _ in Data(#"{"retention": {"dedupeDays": "7"}}"#.utf8) })
            Issue.record("a string for retention.dedupeDays was accepted")
        } catch {
            #expect(error.field == "retention.dedupeDays", "\(error)")
        }
    }
}
