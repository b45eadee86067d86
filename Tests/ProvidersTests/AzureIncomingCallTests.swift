import Foundation
import Switchboard
import Testing

@testable import Providers

/// ACS `Microsoft.Communication.IncomingCall` (providers.md §2.8) in both schemas, and the Call Automation
/// targets of the agent and the bot.
@Suite struct AzureIncomingCallTests {
    static func data(from: String) -> String {
        """
        {"to": {"kind": "phoneNumber", "rawId": "4:+18005550100", "phoneNumber": {"value": "+18005550100"}},
         "from": \(from), "serverCallId": "server-call-1", "callerDisplayName": "Caller",
         "incomingCallContext": "opaque-context-token", "correlationId": "corr-1"}
        """
    }

    static let pstn = #"{"kind": "phoneNumber", "rawId": "4:+14255550123", "phoneNumber": {"value": "+14255550123"}}"#
    static let acsUser =
        #"{"kind": "communicationUser", "rawId": "8:acs:caller", "communicationUser": {"id": "8:acs:caller"}}"#

    func call(_ document: String) throws -> CallEvent? {
        let batch = try AzureEventBatch(
            try JSONValue.parse(Array(document.utf8), maxDepth: 64, what: "test"), what: "test", now: Date())
        guard case .call(let call) = batch.events.first else { return nil }
        return call
    }

    @Test func eventGridSchemaFromAPhoneNumber() throws {
        let event = try call(
            #"[{"id": "e1", "eventType": "Microsoft.Communication.IncomingCall", "data": \#(Self.data(from: Self.pstn))}]"#
        )
        #expect(event?.from == "+14255550123")
        #expect(event?.callID == "server-call-1")
        #expect(event?.change == .incoming(providerContext: "opaque-context-token", notifyNow: true))
    }

    @Test func cloudEventsSchemaFromAnACSUser() throws {
        let event = try call(
            #"{"id": "e2", "type": "Microsoft.Communication.IncomingCall", "specversion": "1.0", "data": \#(Self.data(from: Self.acsUser))}"#
        )
        #expect(event?.from == "8:acs:caller")
    }

    @Test func requiredFields() throws {
        let noContext =
            #"[{"id": "e3", "eventType": "Microsoft.Communication.IncomingCall", "data": {"from": \#(Self.pstn)}}]"#
        #expect(thrownError { _ = try call(noContext) }?.field == "data.incomingCallContext")
        let noFrom =
            #"[{"id": "e4", "eventType": "Microsoft.Communication.IncomingCall", "data": {"incomingCallContext": "x"}}]"#
        #expect(thrownError { _ = try call(noFrom) }?.field == "data.from")
    }

    @Test func targets() {
        #expect(AzureCallAutomationAPI.target(endpoint: "client:alice") == nil)
        #expect(AzureCallAutomationAPI.target(endpoint: "8:acs:agent")?["kind"] == .string("communicationUser"))
        #expect(
            AzureCallAutomationAPI.target(endpoint: "+14155550123")?["phoneNumber"]?["value"] == .string("+14155550123")
        )
    }
}
