import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// The whole SMS path over real loopback HTTP: provider webhook → stored → agent notified over SSE → accept →
/// reply → the (fake) provider API received exactly the expected request → delivery report → `delivered`.
@Suite("SMS path end to end", .timeLimit(.minutes(2)))
struct SMSPathEndToEndTests {
    static let publicURL = "https://gateway.example.com"
    static let twilioSID = "AC0123456789abcdef0123456789abcdef"
    static let twilioToken = "twilio-test-auth-token"
    static let acsKey = Data("acs-test-access-key-0123456789".utf8).base64EncodedString()
    static let gridSecret = "event-grid-test-secret"

    static func configuration(twilioAPI: String, acsAPI: String) -> Configuration {
        Configuration(
            publicURL: publicURL, adminToken: "admin-token",
            channels: [
                .init(
                    id: "twilio-main", provider: .twilio, numbers: ["+14155550199"], region: "US",
                    credentials: ["accountSID": twilioSID, "authToken": twilioToken], apiBaseURL: twilioAPI),
                .init(
                    id: "acs-main", provider: .acs, numbers: ["+18005550100"], region: "US",
                    credentials: [
                        "endpoint": "https://switchboard-test.communication.azure.com", "accessKey": acsKey,
                        "eventGridSecret": gridSecret,
                    ], apiBaseURL: acsAPI),
            ],
            agents: [.init(id: "alice", name: "Alice", token: "alice-token", queues: ["default"])])
    }

    /// A fake Twilio Messages API: checks Basic auth and answers 201 with a new message sid.
    static func fakeTwilio(_ request: RecordedRequest) -> TestHTTPResponse {
        let basic = "Basic " + Data("\(twilioSID):\(twilioToken)".utf8).base64EncodedString()
        guard request.header("Authorization") == basic else {
            return .json(#"{"code": 20003, "message": "Authenticate", "status": 401}"#, status: 401)
        }
        guard request.path == "/2010-04-01/Accounts/\(twilioSID)/Messages.json" else {
            return .json(#"{"code": 20404, "message": "not found", "status": 404}"#, status: 404)
        }
        return .json(
            #"{"sid": "SM\#(UUID().uuidString.replacingOccurrences(of: "-", with: ""))", "status": "queued"}"#,
            status: 201)
    }

    /// A fake ACS SMS API: checks the HMAC headers and answers 202 with a message id.
    static func fakeACS(port: @escaping @Sendable () -> Int) -> TestHTTPServer.Handler {
        { request in
            if let problem = ProviderRequests.acsSignatureProblem(
                method: request.method, pathAndQuery: request.uri, host: "127.0.0.1:\(port())",
                headers: { request.header($0) }, body: request.body, accessKey: acsKey)
            {
                return .json(#"{"error": {"code": "Denied", "message": "\#(problem)"}}"#, status: 401)
            }
            let id = "Outgoing_\(UUID().uuidString.lowercased())"
            return .json(
                #"{"value": [{"to": "+14255550100", "messageId": "\#(id)", "httpStatusCode": 202, "repeatabilityResult": "accepted", "successful": true}]}"#,
                status: 202)
        }
    }

    @Test("Twilio: inbound SMS → notification → accept → reply → Messages API → status callback → delivered")
    func twilioSMSPath() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { Self.fakeTwilio($0) }) { twilio in
            let configuration = Self.configuration(twilioAPI: twilio.baseURL, acsAPI: "http://127.0.0.1:9")
            try await GatewayHarness.with(configuration) { gateway in
                let contact = try await gateway.api(
                    "POST", "/v1/contacts", token: "alice-token",
                    json: #"{"name": "Carol Customer", "mobilePhone": "(415) 555-0100", "region": "US"}"#, expect: 201)
                #expect(contact["mobilePhoneE164"] == .string("+14155550100"))
                let contactID = try #require(contact["id"]?.stringValue)

                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                let presence = try await alice.next("presence").data
                #expect(presence["status"] == .string("available"))

                // Inbound SMS, signed as Twilio signs it.
                let inbound = try await gateway.postTwilio(
                    kind: "inbound",
                    [
                        ("MessageSid", "SM00000000000000000000000000000001"), ("From", "+14155550100"),
                        ("To", "+14155550199"), ("Body", "My internet is down"), ("NumMedia", "0"),
                    ])
                #expect(inbound.status == 200)
                #expect(inbound.header("Content-Type")?.hasPrefix("text/xml") == true)
                #expect(inbound.text.contains("<Response/>"))

                let notification = try await alice.next("notification").data
                #expect(notification["kind"] == .string("alert"))
                #expect(notification["scenario"] == .string("incoming-sms"))
                #expect(notification["customer"]?["phone"] == .string("+14155550100"))
                #expect(notification["customer"]?["contactId"] == .string(contactID))
                #expect(notification["customer"]?["name"] == .string("Carol Customer"))
                #expect(notification["customer"]?["matchCount"] == .number(1))
                let notificationID = try #require(notification["id"]?.stringValue)
                let conversationID = try #require(notification["conversationId"]?.stringValue)

                let accepted = try await gateway.api(
                    "POST", "/v1/notifications/\(notificationID)/accept", token: "alice-token")
                #expect(accepted["outcome"] == .string("accepted"))
                #expect(accepted["conversationId"] == .string(conversationID))
                let closed = try await alice.next("notification.closed").data
                #expect(closed["outcome"] == .string("accepted"))
                // A second accept loses.
                let again = try await gateway.request(
                    "POST", "/v1/notifications/\(notificationID)/accept", token: "alice-token")
                #expect(again.status == 409)
                #expect(again.json?["error"] == .string("not-pending"))

                let reply = try await gateway.api(
                    "POST", "/v1/conversations/\(conversationID)/messages", token: "alice-token",
                    json: #"{"text": "Sorry to hear that! A technician is on the way."}"#, expect: 202)
                #expect(reply["status"] == .string("queued"))
                let messageID = try #require(reply["messageId"]?.stringValue)

                let sent = try await twilio.waitForRequests(count: 1)
                #expect(sent.count == 1)
                let form = Dictionary(
                    uniqueKeysWithValues: try #require(FormFields.parse(sent[0].bodyText)).map { ($0.0, $0.1) })
                #expect(sent[0].method == "POST")
                #expect(form["To"] == "+14155550100")
                #expect(form["From"] == "+14155550199")
                #expect(form["Body"] == "Sorry to hear that! A technician is on the way.")
                #expect(form["StatusCallback"] == "\(Self.publicURL)/webhooks/twilio-main/status")
                // Alice sees the reply go out: sending, then sent.
                #expect(try await alice.next("message.status").data["status"] == .string("sending"))
                let sentEvent = try await alice.next("message.status").data
                #expect(sentEvent["status"] == .string("sent"))
                #expect(sentEvent["messageId"] == .string(messageID))
                let sentStatus = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentStatus["providerMessageId"]?.stringValue)
                #expect(providerID.hasPrefix("SM"))

                // Twilio's delivery report.
                let report = try await gateway.postTwilio(
                    kind: "status", [("MessageSid", providerID), ("MessageStatus", "delivered")])
                #expect(report.status == 200)
                #expect(try await alice.next("message.status").data["status"] == .string("delivered"))
                let delivered = try await waitForMessageStatus(
                    "delivered", of: messageID, in: conversationID, gateway: gateway)
                #expect(delivered["direction"] == .string("outbound"))
                // A late `sent` report does not move the status back.
                _ = try await gateway.postTwilio(
                    kind: "status", [("MessageSid", providerID), ("MessageStatus", "sent")])
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)

                // The customer writes again: the same conversation, straight to Alice.
                _ = try await gateway.postTwilio(
                    kind: "inbound",
                    [
                        ("MessageSid", "SM00000000000000000000000000000002"), ("From", "+14155550100"),
                        ("To", "+14155550199"), ("Body", "Thanks!"),
                    ])
                let message = try await alice.next("message").data
                #expect(message["conversationId"] == .string(conversationID))
                #expect(message["message"]?["text"] == .string("Thanks!"))
                #expect(twilio.requests.count == 1)

                let metrics = try await gateway.request("GET", "/metrics").text
                #expect(
                    metrics.contains(
                        #"switchboard_webhooks_total{provider="twilio",kind="inbound",outcome="stored"} 2"#))
                #expect(
                    metrics.contains(#"switchboard_webhooks_total{provider="twilio",kind="status",outcome="stored"} 2"#)
                )
                #expect(
                    metrics.contains(#"switchboard_notifications_total{scenario="incoming-sms",outcome="accepted"} 1"#))
                #expect(metrics.contains(#"switchboard_outbound_sends_total{provider="twilio",outcome="sent"} 1"#))
                #expect(metrics.contains("switchboard_ingest_duration_seconds_count{provider=\"twilio\"} 4"))
                await alice.close()
            }
        }
    }

    @Test("ACS: SMSReceived → notification → accept → reply → signed SMS API → delivery report → delivered")
    func acsSMSPath() async throws {
        let port = PortBox()
        try await TestHTTPServer.withTestHTTPServer(handler: Self.fakeACS(port: { port.value })) { acs in
            port.value = acs.port
            let configuration = Self.configuration(twilioAPI: "http://127.0.0.1:9", acsAPI: acs.baseURL)
            try await GatewayHarness.with(configuration) { gateway in
                let alice = try await gateway.events(agent: "alice", token: "alice-token")
                _ = try await alice.next("presence")
                let event = """
                    [{"id": "Incoming_20261125-1", "topic": "/subscriptions/x", "subject": "/phonenumber/14255550100",
                      "eventType": "Microsoft.Communication.SMSReceived", "dataVersion": "1.0", "metadataVersion": "1",
                      "eventTime": "2026-11-25T07:41:01Z",
                      "data": {"messageId": "Incoming_20261125-1", "from": "14255550100", "to": "+18005550100",
                               "message": "Hello from ACS", "receivedTimestamp": "2026-11-25T07:41:00.32Z"}}]
                    """
                let inbound = try await gateway.request(
                    "POST", "/webhooks/acs-main/events?code=\(Self.gridSecret)",
                    headers: [(name: "Content-Type", value: "application/json")], body: Array(event.utf8))
                #expect(inbound.status == 200)

                let notification = try await alice.next("notification").data
                #expect(notification["customer"]?["phone"] == .string("+14255550100"))
                #expect(notification["customer"]?["matchCount"] == .number(0))
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                try await gateway.accept(notification, token: "alice-token")
                let messageID = try await gateway.reply(
                    in: conversationID, text: "Hi from the contact center", token: "alice-token")

                let sent = try await acs.waitForRequests(count: 1)
                #expect(sent.count == 1)
                #expect(sent[0].uri == "/sms?api-version=2021-03-07")
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(sent[0].body))
                #expect(body["from"] == .string("+18005550100"))
                #expect(body["message"] == .string("Hi from the contact center"))
                #expect(body["smsSendOptions"]?["enableDeliveryReport"] == .bool(true))
                guard case .array(let recipients) = body["smsRecipients"] else {
                    Issue.record("smsRecipients missing in \(sent[0].bodyText)")
                    return
                }
                #expect(recipients.first?["to"] == .string("+14255550100"))
                #expect(recipients.first?["repeatabilityRequestId"]?.stringValue?.isEmpty == false)
                #expect(recipients.first?["repeatabilityFirstSent"]?.stringValue?.hasSuffix(" GMT") == true)
                let sentMessage = try await waitForMessageStatus(
                    "sent", of: messageID, in: conversationID, gateway: gateway)
                let providerID = try #require(sentMessage["providerMessageId"]?.stringValue)

                let report = """
                    [{"id": "report-\(providerID)", "topic": "/subscriptions/x", "subject": "/phonenumber/18005550100",
                      "eventType": "Microsoft.Communication.SMSDeliveryReportReceived", "dataVersion": "1.0",
                      "metadataVersion": "1", "eventTime": "2026-11-25T07:42:20Z",
                      "data": {"messageId": "\(providerID)", "from": "+18005550100", "to": "+14255550100",
                               "deliveryStatus": "Delivered", "deliveryStatusDetails": "No error.",
                               "receivedTimestamp": "2026-11-25T07:42:20.28Z"}}]
                    """
                let answered = try await gateway.request(
                    "POST", "/webhooks/acs-main/events?code=\(Self.gridSecret)",
                    headers: [(name: "Content-Type", value: "application/json")], body: Array(report.utf8))
                #expect(answered.status == 200)
                _ = try await waitForMessageStatus("delivered", of: messageID, in: conversationID, gateway: gateway)
                await alice.close()
            }
        }
    }

    // MARK: Helpers

}

/// A port learned after the server it belongs to started.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    var value: Int {
        get { lock.withLock { port } }
        set { lock.withLock { port = newValue } }
    }
}

/// Decodes a form body in the test, independently of the gateway's decoder.
enum FormFields {
    static func parse(_ body: String) -> [(String, String)]? {
        var fields: [(String, String)] = []
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2,
                let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                let value = String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else { return nil }
            fields.append((name, value))
        }
        return fields
    }
}
