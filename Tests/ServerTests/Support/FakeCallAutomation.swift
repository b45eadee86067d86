import Curl
import Foundation
import Switchboard
import TestHTTPServer

/// A fake ACS Call Automation API for the voice tests: refuses a request whose HMAC signature is wrong (`401`),
/// answers `:answer` with a call connection named after the incoming call context (`conn-<context>`), takes
/// `:transferToParticipant` and `participants:add` (`202`).
enum FakeCallAutomation {
    static func handler(port: @escaping @Sendable () -> Int) -> TestHTTPServer.Handler {
        { request in
            if let problem = ProviderRequests.acsSignatureProblem(
                method: request.method, pathAndQuery: request.uri, host: "127.0.0.1:\(port())",
                headers: { request.header($0) }, body: request.body, accessKey: SMSPathEndToEndTests.acsKey)
            {
                return .json(#"{"error": {"code": "Denied", "message": "\#(problem)"}}"#, status: 401)
            }
            let body = try? JSONDecoder().decode(JSONValue.self, from: Data(request.body))
            if request.path == "/calling/callConnections:answer" {
                let context = body?["incomingCallContext"]?.stringValue ?? "none"
                return .json(
                    #"{"callConnectionId": "conn-\#(context)", "serverCallId": "server-\#(context)", "#
                        + #""callConnectionState": "connecting"}"#)
            }
            if request.path.hasSuffix(":transferToParticipant") || request.path.hasSuffix("/participants:add") {
                return .json(#"{"operationContext": null}"#, status: 202)
            }
            return .json(#"{"error": {"code": "NotFound", "message": "no such route"}}"#, status: 404)
        }
    }

    /// An `IncomingCall` CloudEvent from `caller` whose context is `context` and server call id `server-<context>`.
    static func incomingCall(id: String, caller: String, context: String) -> String {
        """
        {"id": "\(id)", "type": "Microsoft.Communication.IncomingCall", "specversion": "1.0", "source": "/acs",
         "data": {"to": {"kind": "phoneNumber", "rawId": "4:+18005550100", "phoneNumber": {"value": "+18005550100"}},
                  "from": {"kind": "phoneNumber", "rawId": "4:\(caller)", "phoneNumber": {"value": "\(caller)"}},
                  "serverCallId": "server-\(context)", "incomingCallContext": "\(context)"}}
        """
    }

    /// A Call Automation callback CloudEvent of `type` (`CallDisconnected`, …) about the call connection.
    static func callback(id: String, type: String, connection: String) -> String {
        """
        {"id": "\(id)", "type": "Microsoft.Communication.\(type)", "specversion": "1.0",
         "source": "calling/callConnections/\(connection)", "datacontenttype": "application/json",
         "data": {"callConnectionId": "\(connection)", "serverCallId": "server-x", "correlationId": "corr-x",
                  "resultInformation": {"code": 200, "subCode": 0, "message": "ok"}}}
        """
    }
}

extension GatewayHarness {
    /// Posts a CloudEvent (or a batch) to the ACS channel's `kind` route with `?code=`.
    func postACS(
        _ kind: String, _ json: String, code: String = SMSPathEndToEndTests.gridSecret
    ) async throws -> CurlResponse {
        try await request(
            "POST", "/webhooks/acs-main/\(kind)?code=\(code)",
            headers: [(name: "Content-Type", value: "application/cloudevents+json; charset=utf-8")],
            body: Array(json.utf8))
    }
}
