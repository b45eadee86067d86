import Curl
import Foundation
import Switchboard

extension GatewayHarness {
    /// POSTs a Twilio webhook to `channel` (`twilio-main`) signed as Twilio signs it, against the end-to-end
    /// tests' `publicURL` and auth token (SMSPathEndToEndTests.configuration).
    func postTwilio(
        kind: String, _ parameters: [(String, String)], channel: String = "twilio-main",
        authToken: String = SMSPathEndToEndTests.twilioToken
    ) async throws -> CurlResponse {
        let signature = ProviderRequests.twilioSignature(
            url: "\(SMSPathEndToEndTests.publicURL)/webhooks/\(channel)/\(kind)", parameters: parameters,
            authToken: authToken)
        return try await request(
            "POST", "/webhooks/\(channel)/\(kind)",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Twilio-Signature", value: signature),
            ],
            body: Array(ProviderRequests.form(parameters).utf8))
    }

    /// An inbound SMS to the Twilio channel's number.
    func postTwilioSMS(
        sid: String, from: String = "+14155550100", text: String = "hello", channel: String = "twilio-main",
        authToken: String = SMSPathEndToEndTests.twilioToken
    ) async throws
        -> CurlResponse
    {
        try await postTwilio(
            kind: "inbound", [("MessageSid", sid), ("From", from), ("To", "+14155550199"), ("Body", text)],
            channel: channel, authToken: authToken)
    }
}

extension GatewayHarness {
    /// Accepts the notification `notification` (an SSE `notification` event's data) as `token`; returns the answer.
    @discardableResult
    func accept(_ notification: JSONValue, token: String) async throws -> JSONValue {
        guard let id = notification["id"]?.stringValue else { throw TestFailure("the notification has no id") }
        return try await api("POST", "/v1/notifications/\(id)/accept", token: token)
    }

    /// Queues a reply in the conversation as `token` (`202`); returns its message id.
    func reply(in conversationID: String, text: String, token: String) async throws -> String {
        let json = String(decoding: try JSONEncoder().encode(["text": text]), as: UTF8.self)
        let answer = try await api(
            "POST", "/v1/conversations/\(conversationID)/messages", token: token, json: json, expect: 202)
        guard let id = answer["messageId"]?.stringValue else { throw TestFailure("the reply has no messageId") }
        return id
    }
}
