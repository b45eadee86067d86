import Curl
import Foundation
import Server
import Switchboard
import TestHTTPServer
import Testing

/// Replies with media (MMS) over real loopback HTTP: an inbound MMS shows its media, a reply's media URLs reach the
/// fake Twilio Messages API as repeated `MediaUrl` parameters, and every malformed or unsendable `media` is `400`
/// with `field: "media"` before anything is queued.
@Suite("Media replies end to end", .timeLimit(.minutes(2)))
struct MediaReplyEndToEndTests {
    static let photo = "https://media.example.com/photo.jpg"
    static let menu = "https://media.example.com/menu.pdf?v=2"

    func conversationID(_ gateway: GatewayHarness, channel: String, customer: String) async throws -> String {
        let phone = customer.replacingOccurrences(of: "+", with: "%2B")
        let list = try await gateway.api(
            "GET", "/v1/conversations?channelId=\(channel)&customerPhone=\(phone)", token: "admin-token")
        guard case .array(let conversations) = list["conversations"], let id = conversations.first?["id"]?.stringValue
        else { throw TestFailure("no conversation of \(customer) on \(channel)") }
        return id
    }

    func reply(_ gateway: GatewayHarness, _ conversationID: String, _ json: String) async throws -> CurlResponse {
        try await gateway.request(
            "POST", "/v1/conversations/\(conversationID)/messages", token: "admin-token", json: json)
    }

    @Test("Twilio: inbound MMS media shown; reply media sent as MediaUrl; stored with contentType null")
    func twilioMedia() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { SMSPathEndToEndTests.fakeTwilio($0) }) { twilio in
            let configuration = SMSPathEndToEndTests.configuration(
                twilioAPI: twilio.baseURL, acsAPI: "http://127.0.0.1:9")
            try await GatewayHarness.with(configuration) { gateway in
                let inbound = try await gateway.postTwilio(
                    kind: "inbound",
                    [
                        ("MessageSid", "MM00000000000000000000000000000001"), ("From", "+14155550100"),
                        ("To", "+14155550199"), ("Body", "Is this broken?"), ("NumMedia", "1"),
                        ("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"),
                        ("MediaContentType0", "image/jpeg"),
                    ])
                #expect(inbound.status == 200)
                let id = try await conversationID(gateway, channel: "twilio-main", customer: "+14155550100")

                let withText = try await reply(
                    gateway, id, #"{"text": "Like this?", "media": ["\#(Self.photo)", "\#(Self.menu)"]}"#)
                #expect(withText.status == 202)
                let first = try await twilio.waitForRequests(count: 1)
                let form = try #require(FormFields.parse(first[0].bodyText))
                #expect(form.filter { $0.0 == "MediaUrl" }.map(\.1) == [Self.photo, Self.menu])
                #expect(form.first { $0.0 == "Body" }?.1 == "Like this?")

                let alone = try await reply(gateway, id, #"{"media": ["\#(Self.photo)"]}"#)
                #expect(alone.status == 202)
                let second = try await twilio.waitForRequests(count: 2)
                let form2 = try #require(FormFields.parse(second[1].bodyText))
                #expect(form2.filter { $0.0 == "MediaUrl" }.map(\.1) == [Self.photo])
                #expect(!form2.contains { $0.0 == "Body" })

                let conversation = try await gateway.api("GET", "/v1/conversations/\(id)", token: "admin-token")
                guard case .array(let messages) = conversation["messages"], messages.count == 3 else {
                    throw TestFailure("expected 3 messages: \(conversation)")
                }
                #expect(
                    messages[0]["media"]
                        == .array([
                            .object([
                                "url": .string("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"),
                                "contentType": .string("image/jpeg"),
                            ])
                        ]))
                #expect(
                    messages[1]["media"]
                        == .array([
                            .object(["url": .string(Self.photo), "contentType": .null]),
                            .object(["url": .string(Self.menu), "contentType": .null]),
                        ]))
                #expect(messages[2]["text"] == .string(""))
                #expect(twilio.requests.count == 2)
            }
        }
    }

    @Test("malformed, too many or unsendable media: 400 field media, nothing sent")
    func refusals() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { SMSPathEndToEndTests.fakeTwilio($0) }) { twilio in
            let configuration = SMSPathEndToEndTests.configuration(
                twilioAPI: twilio.baseURL, acsAPI: "http://127.0.0.1:9")
            try await GatewayHarness.with(configuration) { gateway in
                #expect(try await gateway.postTwilioSMS(sid: "SM00000000000000000000000000000002").status == 200)
                let id = try await conversationID(gateway, channel: "twilio-main", customer: "+14155550100")
                let eleven = (0...10).map { #""https://media.example.com/\#($0).png""# }.joined(separator: ",")
                let bodies = [
                    #"{"text": "x", "media": "\#(Self.photo)"}"#,
                    #"{"text": "x", "media": [1, 2]}"#,
                    #"{"text": "x", "media": {"url": "\#(Self.photo)"}}"#,
                    #"{"media": []}"#,
                    #"{"text": "", "media": []}"#,
                    #"{"text": "x", "media": ["ftp://media.example.com/a.png"]}"#,
                    #"{"text": "x", "media": ["/a.png"]}"#,
                    #"{"text": "x", "media": [\#(eleven)]}"#,
                ]
                for body in bodies {
                    let answer = try await reply(gateway, id, body)
                    #expect(answer.status == 400, "\(body)")
                    #expect(answer.json?["field"] == .string("media"), "\(body): \(answer.text)")
                }
                let neither = try await reply(gateway, id, "{}")
                #expect(neither.status == 400 && neither.json?["error"] == .string("missing-field"))
                #expect(neither.json?["field"] == .string("text"))

                // ACS sends SMS only: media there names the channel and the provider.
                let event = """
                    [{"id": "Incoming_media-1", "topic": "/subscriptions/x", "subject": "/phonenumber/14255550100",
                      "eventType": "Microsoft.Communication.SMSReceived", "dataVersion": "1.0", "metadataVersion": "1",
                      "eventTime": "2026-11-25T07:41:01Z",
                      "data": {"messageId": "Incoming_media-1", "from": "14255550100", "to": "+18005550100",
                               "message": "Hello", "receivedTimestamp": "2026-11-25T07:41:00.32Z"}}]
                    """
                let inbound = try await gateway.request(
                    "POST", "/webhooks/acs-main/events?code=\(SMSPathEndToEndTests.gridSecret)",
                    headers: [(name: "Content-Type", value: "application/json")], body: Array(event.utf8))
                #expect(inbound.status == 200)
                let acs = try await conversationID(gateway, channel: "acs-main", customer: "+14255550100")
                let refused = try await reply(gateway, acs, #"{"text": "x", "media": ["\#(Self.photo)"]}"#)
                #expect(refused.status == 400 && refused.json?["field"] == .string("media"))
                #expect(refused.json?["message"]?.stringValue?.contains("channel acs-main (acs)") == true)

                let messages = try await gateway.api("GET", "/v1/conversations/\(id)", token: "admin-token")
                guard case .array(let stored) = messages["messages"] else { throw TestFailure("no messages") }
                #expect(stored.count == 1)
                #expect(twilio.requests.isEmpty)
            }
        }
    }
}
