import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

/// The Call Automation requests the gateway signs (answer, transfer, add participant) and the callbacks it
/// decodes on `call-events`.
@Suite struct AzureCallAutomationTests {
    static let channel = Configuration.Channel(
        id: "acs-main", provider: .acs,
        credentials: [
            "endpoint": "https://contoso.communication.azure.com/", "accessKey": "pw==", "eventGridSecret": "s&cret",
        ])
    static let date = Date(timeIntervalSince1970: 1_649_873_352)

    func expectSigned(_ request: CurlRequest) throws {
        let signer = try #require(AzureHMACSigner(accessKey: "pw=="))
        let expected = signer.headers(method: "POST", url: request.url, body: request.body, date: Self.date)
        #expect(request.header("Authorization") == expected?.first { $0.name == "Authorization" }?.value)
        #expect(request.header("x-ms-date") == "Wed, 13 Apr 2022 18:09:12 GMT")
    }

    @Test func answerCarriesTheContextAndTheCallbackWithTheSecret() throws {
        let request = try #require(
            AzureCallAutomationAPI.answerRequest(
                channel: Self.channel, incomingCallContext: "ctx", publicURL: "https://gw.example.com", date: Self.date)
        )
        #expect(
            request.url
                == "https://contoso.communication.azure.com/calling/callConnections:answer?api-version=2023-10-15")
        let body = try JSONValue.parse(request.body, maxDepth: 8, what: "body")
        #expect(body["incomingCallContext"] == .string("ctx"))
        #expect(body["callbackUri"] == .string("https://gw.example.com/webhooks/acs-main/call-events?code=s%26cret"))
        try expectSigned(request)
    }

    @Test func transferAndAddParticipantTargetTheHeldConnection() throws {
        let transfer = try #require(
            AzureCallAutomationAPI.transferRequest(
                channel: Self.channel, callConnectionID: "conn-1", endpoint: "+14155550123", date: Self.date))
        #expect(
            transfer.url.hasSuffix("/calling/callConnections/conn-1:transferToParticipant?api-version=2023-10-15"))
        let body = try JSONValue.parse(transfer.body, maxDepth: 8, what: "body")
        #expect(body["targetParticipant"]?["phoneNumber"]?["value"] == .string("+14155550123"))
        #expect(body["transferee"] == nil)
        let moving = try #require(
            AzureCallAutomationAPI.transferRequest(
                channel: Self.channel, callConnectionID: "conn-1", endpoint: "8:acs:agent", transferee: "+14255550100"))
        let named = try JSONValue.parse(moving.body, maxDepth: 8, what: "body")
        #expect(named["transferee"]?["rawId"] == .string("4:+14255550100"))
        try expectSigned(transfer)
        #expect(
            AzureCallAutomationAPI.transferRequest(
                channel: Self.channel, callConnectionID: "conn-1", endpoint: "sip:agent@example.com") == nil)

        let add = try #require(
            AzureCallAutomationAPI.addParticipantRequest(
                channel: Self.channel, callConnectionID: "conn-1", target: "8:acs:bot", date: Self.date))
        #expect(add.url.hasSuffix("/calling/callConnections/conn-1/participants:add?api-version=2023-10-15"))
        let added = try JSONValue.parse(add.body, maxDepth: 8, what: "body")
        #expect(added["participantToAdd"]?["communicationUser"]?["id"] == .string("8:acs:bot"))
    }

    func events(_ document: String) throws -> AzureCallEvents {
        try AzureCallEvents(
            try JSONValue.parse(Array(document.utf8), maxDepth: 64, what: "test"), what: "test", now: Date())
    }

    @Test func callbacksBecomeCallChanges() throws {
        let decoded = try events(
            """
            [{"id": "a", "type": "Microsoft.Communication.CallConnected", "data": {"callConnectionId": "c1"}},
             {"id": "b", "type": "Microsoft.Communication.CallTransferAccepted", "data": {"callConnectionId": "c1"}},
             {"id": "c", "type": "Microsoft.Communication.CallTransferFailed", "data": {"callConnectionId": "c1",
              "resultInformation": {"code": 500, "subCode": 7504, "message": "Transfer failed"}}},
             {"id": "d", "type": "Microsoft.Communication.CallDisconnected", "data": {"callConnectionId": "c1"}}]
            """)
        #expect(decoded.ignoredEventTypes == ["Microsoft.Communication.CallConnected"])
        #expect(decoded.events.map(\.callID) == ["c1", "c1", "c1"])
        #expect(decoded.events.map(\.dedupeKey) == ["b", "c", "d"])
        #expect(
            decoded.events.map(\.change) == [
                .transferAccepted, .transferFailed(reason: "500/7504 Transfer failed"), .ended,
            ])
    }

    @Test func requiredFields() throws {
        #expect(thrownError { _ = try events(#"{"id": "x", "data": {"callConnectionId": "c"}}"#) }?.field == "type")
        #expect(
            thrownError { _ = try events(#"{"id": "x", "type": "Microsoft.Communication.CallDisconnected"}"#) }?.field
                == "data.callConnectionId")
    }
}
