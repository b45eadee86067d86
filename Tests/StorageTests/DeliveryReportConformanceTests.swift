import Foundation
import Switchboard
import Testing

/// `recordDeliveryReport`: dedupe, forward-only status, errors, opt-outs, reports that beat the send answer.
@Suite("Store conformance: delivery reports")
struct DeliveryReportConformanceTests {
    static let undeliverable = ProviderErrorDetail(code: "30003", message: "Unreachable destination handset")
    static let stop = ProviderErrorDetail(code: "21610", message: "Attempt to send to unsubscribed recipient")

    @Test(arguments: StoreKind.allCases)
    func reportMovesStatusForwardAndRecordsHistory(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")

            let outcome = try await store.recordDeliveryReport(
                report(key: "r1", providerID: "SM-out-1", status: .delivered, receivedAt: at(10)))
            guard case .applied(let message, let reportConversation, let changed) = outcome else {
                Issue.record("expected applied, got \(outcome)")
                return
            }
            #expect(changed)
            #expect(message.id == sent.id)
            #expect(message.status == .delivered)
            #expect(message.updatedAt == at(10))
            #expect(reportConversation == conversation)
            #expect(try await store.message(id: sent.id) == message)
            #expect(
                try await store.statusHistory(messageID: sent.id).map(\.status) == [
                    .queued, .sending, .sent, .delivered,
                ])
            #expect(try await store.statusHistory(messageID: sent.id).last?.at == at(10))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func lateReportDoesNotMoveStatusBack(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            _ = try await store.recordDeliveryReport(
                report(key: "r-delivered", providerID: "SM-out-1", status: .delivered))

            let late = try await store.recordDeliveryReport(
                report(key: "r-sent", providerID: "SM-out-1", status: .sent, receivedAt: at(20)))
            guard case .applied(let message, _, let changed) = late else {
                Issue.record("expected applied, got \(late)")
                return
            }
            #expect(!changed)
            #expect(message.status == .delivered)
            #expect(try await store.message(id: sent.id)?.status == .delivered)
            #expect(
                try await store.statusHistory(messageID: sent.id).map(\.status) == [
                    .queued, .sending, .sent, .delivered,
                ])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failedKeepsProviderError(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            _ = try await store.recordDeliveryReport(
                report(key: "r-failed", providerID: "SM-out-1", status: .failed, error: Self.undeliverable))
            // A late, error-free report changes neither status nor error.
            _ = try await store.recordDeliveryReport(
                report(key: "r-delivered", providerID: "SM-out-1", status: .delivered))

            let message = try #require(try await store.message(id: sent.id))
            #expect(message.status == .failed)
            #expect(message.error == Self.undeliverable)
            let history = try await store.statusHistory(messageID: sent.id)
            #expect(
                history.last
                    == MessageStatusChange(messageID: sent.id, status: .failed, error: Self.undeliverable, at: at(10)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func repeatedReportIsDuplicate(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            let first = try await store.recordDeliveryReport(
                report(key: "r1", providerID: "SM-out-1", status: .delivered))
            let again = try await store.recordDeliveryReport(report(key: "r1", providerID: "SM-out-1", status: .failed))
            if case .applied = first {} else { Issue.record("expected applied, got \(first)") }
            #expect(again == .duplicate)
            #expect(try await store.message(id: sent.id)?.status == .delivered)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func optOutSignalMarksMessageAndCustomer(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            #expect(try await !store.isOptedOut(channelID: channel, customer: customer))

            let outcome = try await store.recordDeliveryReport(
                report(key: "r1", providerID: "SM-out-1", status: .failed, error: Self.stop, optedOut: true))
            guard case .applied(let message, _, let changed) = outcome else {
                Issue.record("expected applied, got \(outcome)")
                return
            }
            #expect(changed)
            #expect(message.status == .optedOut)
            #expect(message.error == Self.stop)
            #expect(message.id == sent.id)
            #expect(try await store.isOptedOut(channelID: channel, customer: customer))
            #expect(try await !store.isOptedOut(channelID: "other-channel", customer: customer))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func optOutAfterDeliveryKeepsStatusButOptsOut(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            _ = try await store.recordDeliveryReport(report(key: "r1", providerID: "SM-out-1", status: .delivered))
            _ = try await store.recordDeliveryReport(
                report(key: "r2", providerID: "SM-out-1", status: .failed, optedOut: true))
            #expect(try await store.message(id: sent.id)?.status == .delivered)
            #expect(try await store.isOptedOut(channelID: channel, customer: customer))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reportForUnknownProviderIDIsPendingThenDuplicate(kind: StoreKind) async throws {
        try await withStore(kind) { store throws in
            #expect(
                try await store.recordDeliveryReport(report(key: "r1", providerID: "SM-early", status: .sent))
                    == .pending)
            #expect(
                try await store.recordDeliveryReport(report(key: "r1", providerID: "SM-early", status: .sent))
                    == .duplicate)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pendingReportsAreAppliedAtMarkSent(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: "alice", text: "hi", createdAt: at(1)))
            try await store.markSending(messageID: reply.id, at: at(2))
            // The callbacks beat the send API's answer.
            #expect(
                try await store.recordDeliveryReport(
                    report(key: "r-sent", providerID: "SM-out-1", status: .sent, receivedAt: at(3))) == .pending)
            #expect(
                try await store.recordDeliveryReport(
                    report(key: "r-delivered", providerID: "SM-out-1", status: .delivered, receivedAt: at(4)))
                    == .pending)

            let sent = try await store.markSent(messageID: reply.id, providerMessageID: "SM-out-1", at: at(5))
            #expect(sent.status == .delivered)
            #expect(sent.providerMessageID == "SM-out-1")
            #expect(try await store.message(id: reply.id) == sent)
            #expect(
                try await store.statusHistory(messageID: reply.id).map(\.status) == [
                    .queued, .sending, .sent, .delivered,
                ])
            // Applied once: a redelivery of the report is still a duplicate, and reports now find the message.
            #expect(
                try await store.recordDeliveryReport(
                    report(key: "r-delivered", providerID: "SM-out-1", status: .delivered)) == .duplicate)
            let later = try await store.recordDeliveryReport(
                report(key: "r-late", providerID: "SM-out-1", status: .sent))
            if case .applied(_, _, let changed) = later { #expect(!changed) } else { Issue.record("got \(later)") }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pendingOptOutIsAppliedAtMarkSent(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let reply = try await store.enqueueReply(
                ReplyRecord(conversationID: conversation.id, agentID: nil, text: "hi", createdAt: at(1)))
            try await store.markSending(messageID: reply.id, at: at(2))
            _ = try await store.recordDeliveryReport(
                report(key: "r1", providerID: "SM-out-1", status: .failed, error: Self.stop, optedOut: true))
            #expect(try await !store.isOptedOut(channelID: channel, customer: customer))

            let sent = try await store.markSent(messageID: reply.id, providerMessageID: "SM-out-1", at: at(5))
            #expect(sent.status == .optedOut)
            #expect(sent.error == Self.stop)
            #expect(try await store.isOptedOut(channelID: channel, customer: customer))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reportsMatchOnlyOutboundMessagesOfTheirChannel(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            _ = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            // Same provider id on another channel: not this message.
            #expect(
                try await store.recordDeliveryReport(
                    report(key: "r1", providerID: "SM-out-1", status: .delivered, channelID: "other")) == .pending)
            // The inbound message's provider id names no outbound message.
            #expect(
                try await store.recordDeliveryReport(report(key: "r2", providerID: "SM-in-1", status: .delivered))
                    == .pending)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRedeliveredReportsApplyOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let conversation = try await openConversation(in: store)
            let sent = try await sentReply(in: store, conversation: conversation, providerID: "SM-out-1")
            let outcomes = try await withThrowingTaskGroup(of: DeliveryReportOutcome.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await store.recordDeliveryReport(
                            report(key: "r1", providerID: "SM-out-1", status: .delivered))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .duplicate }.count == 9)
            #expect(try await store.statusHistory(messageID: sent.id).filter { $0.status == .delivered }.count == 1)
        }
    }
}
