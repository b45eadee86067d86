import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct TwilioMessagesAPITests {
    let message = OutboundMessage(
        messageID: "msg-1", channelID: "twilio-main", from: nil, to: "+14155550100", text: "Hi & welcome 😀",
        idempotencyKey: "key-1", firstQueuedAt: testNow,
        statusCallbackURL: "https://gw.example.com/webhooks/twilio-main/status")

    func response(
        _ status: Int, _ body: String, headers: [(name: String, value: String)] = []
    ) -> Result<CurlResponse, CurlError> {
        .success(CurlResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    func classify(_ result: Result<CurlResponse, CurlError>) -> SendOutcome {
        TwilioMessagesAPI.classify(result, channelID: "twilio-main")
    }

    @Test func aMessagingServiceSendsInsteadOfTheChannelsNumber() throws {
        var channel = twilioChannel
        channel.credentials["messagingServiceSID"] = "MG" + String(repeating: "0a", count: 16)
        let request = TwilioMessagesAPI.request(for: message, channel: channel)
        let form = try FormParameters.decode(request.body, maxParameters: 10, what: "t")
        #expect(form.first("MessagingServiceSid") == "MG" + String(repeating: "0a", count: 16))
        #expect(form.first("From") == nil)
        #expect(form.first("To") == "+14155550100" && form.first("Body") == "Hi & welcome 😀")
        try ProviderRegistry.validate(channel)

        channel.credentials["messagingServiceSID"] = "PN123"
        #expect(throws: SwitchboardError.self) { try ProviderRegistry.validate(channel) }
    }

    @Test func requestBuilding() throws {
        let request = TwilioMessagesAPI.request(for: message, channel: twilioChannel)
        #expect(request.method == "POST")
        #expect(
            request.url == "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
        )
        let basic = Data("AC0123456789abcdef0123456789abcdef:test-auth-token".utf8).base64EncodedString()
        #expect(request.headers.value("Authorization") == "Basic \(basic)")
        #expect(request.headers.value("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.headers.value("Accept") == "application/json")
        let form = try FormParameters.decode(request.body, maxParameters: 10, what: "t")
        #expect(
            form.pairs == [
                .init(name: "To", value: "+14155550100"), .init(name: "From", value: "+14155550199"),
                .init(name: "Body", value: "Hi & welcome 😀"),
                .init(name: "StatusCallback", value: "https://gw.example.com/webhooks/twilio-main/status"),
            ])
    }

    /// `send` builds its request from what the API made of its channel once; it must be the pure function's.
    @Test func theSendPathsRequestIsThePureOne() async throws {
        var withService = twilioChannel
        withService.credentials["messagingServiceSID"] = "MG" + String(repeating: "0a", count: 16)
        withService.apiBaseURL = "http://127.0.0.1:9//"
        try await CurlClient.withCurlClient { client in
            for channel in [twilioChannel, withService] {
                let made = TwilioMessagesAPI(channel: channel, client: client).request(for: message)
                let pure = TwilioMessagesAPI.request(for: message, channel: channel)
                #expect(made.method == pure.method && made.url == pure.url && made.body == pure.body)
                #expect(
                    made.headers.map { "\($0.name): \($0.value)" } == pure.headers.map { "\($0.name): \($0.value)" })
            }
        }
        let pure = TwilioMessagesAPI.request(for: message, channel: withService)
        #expect(
            pure.url
                == "http://127.0.0.1:9/2010-04-01/Accounts/\(twilioChannel.credential("accountSID")!)/Messages.json")
    }

    @Test func apiBaseURLAndExplicitSender() throws {
        var channel = twilioChannel
        channel.apiBaseURL = "http://127.0.0.1:9099/"
        var explicit = message
        explicit.from = "+14155550111"
        explicit.statusCallbackURL = nil
        let request = TwilioMessagesAPI.request(for: explicit, channel: channel)
        #expect(
            request.url == "http://127.0.0.1:9099/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json")
        let form = try FormParameters.decode(request.body, maxParameters: 10, what: "t")
        #expect(form.first("From") == "+14155550111")
        #expect(form.first("StatusCallback") == nil)
    }

    @Test func acceptedWithSid() {
        #expect(
            classify(response(201, #"{"sid": "SM123", "status": "queued"}"#)) == .accepted(providerMessageID: "SM123"))
        #expect(classify(response(200, #"{"sid": "SM124"}"#)) == .accepted(providerMessageID: "SM124"))
        guard case .permanent(let detail, optedOut: false) = classify(response(201, "{}")) else {
            Issue.record("201 without sid must not be retried")
            return
        }
        #expect(detail.code == "unexpected-response")
    }

    @Test func rateLimitedIsRetriedWithRetryAfter() {
        let body = #"{"code": 20429, "message": "Too Many Requests", "status": 429}"#
        #expect(
            classify(response(429, body, headers: [(name: "retry-after", value: "7")]))
                == .retryLater(ProviderErrorDetail(code: "20429", message: "Too Many Requests"), retryAfter: 7))
        #expect(
            classify(response(429, ""))
                == .retryLater(
                    ProviderErrorDetail(code: "http-429", message: "twilio-main: Twilio answered HTTP 429"),
                    retryAfter: nil))
        // Code 20429 under another status is still a rate limit.
        guard case .retryLater = classify(response(400, body)) else {
            Issue.record("20429 must be retried")
            return
        }
    }

    @Test func serverErrorsAndConnectionFailuresAreRetried() {
        for status in [500, 502, 503, 504] {
            guard case .retryLater = classify(response(status, "<html>oops</html>")) else {
                Issue.record("\(status) must be retried")
                continue
            }
        }
        for kind in [CurlError.Kind.connectFailed, .timedOut, .other] {
            guard case .retryLater = classify(.failure(CurlError(kind: kind, code: 7, message: "Failed to connect")))
            else {
                Issue.record("\(kind) must be retried")
                continue
            }
        }
        guard case .permanent = classify(.failure(CurlError(kind: .invalidRequest, code: 3, message: "bad URL"))) else {
            Issue.record("an invalid request is permanent")
            return
        }
    }

    @Test func optOutIsPermanentAndOptedOut() {
        let body = #"{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}"#
        #expect(
            classify(response(400, body))
                == .permanent(
                    ProviderErrorDetail(code: "21610", message: "Attempt to send to unsubscribed recipient"),
                    optedOut: true))
    }

    @Test func otherClientErrorsArePermanentWithTwiliosCodeAndMessage() {
        let body =
            #"{"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#
        #expect(
            classify(response(400, body))
                == .permanent(
                    ProviderErrorDetail(code: "21211", message: "The 'To' number +1555 is not a valid phone number."),
                    optedOut: false))
        #expect(
            classify(response(401, #"{"code": 20003}"#))
                == .permanent(
                    ProviderErrorDetail(
                        code: "20003", message: "Authentication failed; check accountSID and authToken"),
                    optedOut: false))
        #expect(
            classify(response(404, "not json"))
                == .permanent(
                    ProviderErrorDetail(code: "http-404", message: "twilio-main: Twilio answered HTTP 404"),
                    optedOut: false))
    }
}
