import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// Inbound STOP/START keywords (CONTRACT.md §3 "Opt-out"): a customer who texts STOP gets no reply (`409
/// opted-out`) until they text START; the keywords are whole-text, trimmed, any case, per channel.
@Suite("Opt-out keywords", .timeLimit(.minutes(2)))
struct OptOutKeywordTests {
    @Test func stopBlocksRepliesUntilStart() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { SMSPathEndToEndTests.fakeTwilio($0) }) { twilio in
            let configuration = SMSPathEndToEndTests.configuration(
                twilioAPI: twilio.baseURL, acsAPI: "http://127.0.0.1:9")
            try await GatewayHarness.with(configuration) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                #expect(try await gateway.postTwilioSMS(sid: "SM-stop-1", text: "I have a question").status == 200)
                let notification = try await alice.next("notification").data
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")

                #expect(try await gateway.postTwilioSMS(sid: "SM-stop-2", text: "  stop \n").status == 200)
                _ = try await alice.next("message")
                let refused = try await gateway.request(
                    "POST", "/v1/conversations/\(conversationID)/messages", token: "alice-token",
                    json: #"{"text": "Are you sure?"}"#)
                #expect(refused.status == 409)
                #expect(refused.json?["error"] == .string("opted-out"))
                #expect(twilio.requests.isEmpty)

                // Not a keyword: a sentence containing STOP does not opt back in or out.
                #expect(
                    try await gateway.postTwilioSMS(sid: "SM-stop-3", text: "please stop and start again").status == 200
                )
                _ = try await alice.next("message")
                #expect(
                    try await gateway.request(
                        "POST", "/v1/conversations/\(conversationID)/messages", token: "alice-token",
                        json: #"{"text": "x"}"#
                    ).status == 409)

                #expect(try await gateway.postTwilioSMS(sid: "SM-stop-4", text: "START").status == 200)
                _ = try await alice.next("message")
                _ = try await gateway.api(
                    "POST", "/v1/conversations/\(conversationID)/messages", token: "alice-token",
                    json: #"{"text": "Welcome back"}"#, expect: 202)
                _ = try await twilio.waitForRequests(count: 1)
                await alice.close()
            }
        }
    }

}
