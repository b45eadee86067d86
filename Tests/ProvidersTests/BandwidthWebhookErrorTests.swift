import Foundation
import Switchboard
import Testing

@testable import Providers

/// Every refusal of CONTRACT.md §3, in its order: 404 kind, 405 method, 415 content type, 400 decoding, 403
/// authentication, 400 required fields.
@Suite struct BandwidthWebhookErrorTests {
    let valid = "[" + bandwidthCallback("message-received", message: bandwidthInbound()) + "]"

    func refusal(_ request: WebhookRequest) -> SwitchboardError? {
        thrownError { _ = try bandwidthAdapter.handle(request, now: testNow) }
    }

    @Test func unknownKindAndMethod() {
        #expect(refusal(bandwidthRequest(valid, kind: "inbound"))?.status == 404)
        let get = refusal(bandwidthRequest(valid, method: "GET", contentType: "text/plain", sign: false))
        #expect(get?.status == 405)
        #expect(get?.code == "method-not-allowed")
    }

    @Test func contentTypeBeforeDecodingAndAuthentication() {
        for type in ["text/plain", "application/x-www-form-urlencoded", nil] {
            let error = refusal(bandwidthRequest("{", contentType: type, sign: false))
            #expect(error?.status == 415)
            #expect(error?.code == "unsupported-media-type")
        }
        #expect(refusal(bandwidthRequest(valid, contentType: "application/json; charset=utf-8")) == nil)
    }

    @Test func undecodableBodiesBeforeAuthentication() {
        for body in ["[{", "", "42", #""text""#, "null"] {
            let error = refusal(bandwidthRequest(body, sign: false))
            #expect(error?.status == 400, "\(body)")
            #expect(error?.code == "invalid-request", "\(body)")
        }
        let notObject = refusal(bandwidthRequest("[1]"))
        #expect(notObject?.code == "invalid-request")
    }

    @Test func missingCredentials() {
        let error = refusal(bandwidthRequest(valid, sign: false))
        #expect(error?.status == 403)
        #expect(error?.code == "signature-missing")
        #expect(error?.field == "Authorization")
    }

    @Test func wrongCredentials() {
        let wrong = [
            BandwidthBasicAuth.headerValue(username: "bw-callbacks", password: "callback-pa56"),
            BandwidthBasicAuth.headerValue(username: "bw-callback", password: "callback-pa55"),
            BandwidthBasicAuth.headerValue(username: "bw-callbacks", password: "callback-pa55x"),
            BandwidthBasicAuth.headerValue(username: "", password: ""),
            "Bearer " + Data("bw-callbacks:callback-pa55".utf8).base64EncodedString(),
            "Basic not-base64!", "Basic " + Data("no-colon".utf8).base64EncodedString(), "Basic",
        ]
        for authorization in wrong {
            let error = refusal(bandwidthRequest(valid, sign: false, authorization: authorization))
            #expect(error?.status == 403, "\(authorization)")
            #expect(error?.code == "signature-invalid", "\(authorization)")
            #expect(error?.field == "Authorization")
            #expect(error?.message.contains("callback-pa55") == false)
        }
        // The scheme is case-insensitive; the credentials are not.
        let lower = "basic " + Data("bw-callbacks:callback-pa55".utf8).base64EncodedString()
        #expect(refusal(bandwidthRequest(valid, sign: false, authorization: lower)) == nil)
    }

    @Test func authenticationBeforeRequiredFields() {
        let error = refusal(bandwidthRequest(#"[{"message":{}}]"#, sign: false))
        #expect(error?.status == 403)
    }

    @Test func requiredFieldsAreNamed() {
        let cases: [(String, String)] = [
            (#"{"to":"+19195550199","message":{\#(bandwidthInbound())}}"#, "type"),
            (#"{"type":"message-received","to":"+19195550199","message":{"from":"+19195550100"}}"#, "message.id"),
            (#"{"type":"message-delivered","to":"+19195550100"}"#, "message.id"),
            (#"{"type":"message-received","to":"+19195550199","message":{"id":"in-1","from":""}}"#, "message.from"),
            (#"{"type":"message-received","message":{\#(bandwidthInbound())}}"#, "to"),
            (#"{"type":"","message":{"id":"x"}}"#, "type"),
        ]
        for (callback, field) in cases {
            let error = refusal(bandwidthRequest("[\(callback)]"))
            #expect(error?.status == 400, "\(callback)")
            #expect(error?.code == "missing-field", "\(callback)")
            #expect(error?.field == field, "\(callback)")
        }
    }

    @Test func oneBadCallbackRefusesTheWholeBatch() {
        let body =
            "[" + bandwidthCallback("message-received", message: bandwidthInbound()) + #",{"type":"message-sent"}]"#
        let error = refusal(bandwidthRequest(body))
        #expect(error?.field == "message.id")
        #expect(error?.message.contains("callback 2 of 2") == true)
    }
}
