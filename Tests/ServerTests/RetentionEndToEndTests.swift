import Curl
import Foundation
import Switchboard
import Testing

/// The gateway runs the retention sweep (CONTRACT.md §12) in the background and counts what it deleted.
@Suite("Retention end to end", .timeLimit(.minutes(2)))
struct RetentionEndToEndTests {
    @Test func theGatewaySweepsPeriodicallyAndCountsWhatItDeleted() async throws {
        var configuration = HTTPContractTests.configuration()
        // Every message is past its retention at once; closed conversations and dedupe keys are kept.
        configuration.retention = .init(messagesDays: 0, closedConversationsDays: nil, dedupeDays: 2)
        try await GatewayHarness.with(configuration, retentionInterval: .milliseconds(100)) { gateway in
            #expect(try await gateway.postTwilioSMS(sid: "SMr1", from: "+14155550123").status == 200)
            let list = try await gateway.api(
                "GET", "/v1/conversations?customerPhone=%2B14155550123", token: "admin-token")
            let id = try #require(list["conversations"]?.arrayValue?.first?["id"]?.stringValue)
            let deadline = ContinuousClock.now + .seconds(60)
            var messages: [JSONValue]? = nil
            while ContinuousClock.now < deadline {
                messages = try await gateway.api("GET", "/v1/conversations/\(id)", token: "admin-token")["messages"]?
                    .arrayValue
                if messages?.isEmpty == true { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(messages?.isEmpty == true, "the message was not swept")
            let metrics = try await gateway.request("GET", "/metrics")
            #expect(
                metrics.text.contains(#"switchboard_retention_deleted_total{kind="messages"} 1"#), "\(metrics.text)")
            // The dedupe key stays: a redelivery is a duplicate, nothing new is stored (and so nothing swept again).
            #expect(try await gateway.postTwilioSMS(sid: "SMr1", from: "+14155550123").status == 200)
            try await Task.sleep(for: .milliseconds(400))
            let later = try await gateway.request("GET", "/metrics")
            #expect(later.text.contains(#"switchboard_retention_deleted_total{kind="messages"} 1"#), "\(later.text)")
            #expect(later.text.contains(#"switchboard_retention_deleted_total{kind="dedupeKeys"} 0"#))
        }
    }
}
