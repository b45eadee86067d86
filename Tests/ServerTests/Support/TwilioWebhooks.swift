import Curl
import Foundation

extension GatewayHarness {
    /// POSTs a Twilio webhook to `twilio-main` signed as Twilio signs it, against the end-to-end tests'
    /// `publicURL` and auth token (SMSPathEndToEndTests.configuration).
    func postTwilio(kind: String, _ parameters: [(String, String)]) async throws -> CurlResponse {
        let signature = ProviderRequests.twilioSignature(
            url: "\(SMSPathEndToEndTests.publicURL)/webhooks/twilio-main/\(kind)", parameters: parameters,
            authToken: SMSPathEndToEndTests.twilioToken)
        return try await request(
            "POST", "/webhooks/twilio-main/\(kind)",
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "X-Twilio-Signature", value: signature),
            ],
            body: Array(ProviderRequests.form(parameters).utf8))
    }

    /// An inbound SMS to the Twilio channel's number.
    func postTwilioSMS(
        sid: String, from: String = "+14155550100", text: String = "hello"
    ) async throws
        -> CurlResponse
    {
        try await postTwilio(
            kind: "inbound", [("MessageSid", sid), ("From", from), ("To", "+14155550199"), ("Body", text)])
    }
}
