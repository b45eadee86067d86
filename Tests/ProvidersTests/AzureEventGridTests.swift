import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct AzureEventGridTests {
    let adapter = AzureEventGridAdapter(channel: acsChannel, context: testContext)

    static let smsReceived = """
        [{
          "id": "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
          "topic": "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourcegroups/acse2e/providers/microsoft.communication/communicationservices/res",
          "subject": "/phonenumber/15555555555",
          "data": {
            "messageId": "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
            "from": "15555555555",
            "to": "15555555555",
            "message": "Great to connect with Azure Communication Services events",
            "receivedTimestamp": "2020-09-18T00:27:45.32Z",
            "segmentCount": 1
          },
          "eventType": "Microsoft.Communication.SMSReceived",
          "dataVersion": "1.0",
          "metadataVersion": "1",
          "eventTime": "2020-09-18T00:27:47Z"
        }]
        """

    static let deliveryReport = """
        [{
          "id": "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
          "topic": "/subscriptions/x",
          "subject": "/phonenumber/15555555555",
          "data": {
            "messageId": "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
            "from": "15555555555",
            "to": "+15555555555",
            "deliveryStatus": "Delivered",
            "deliveryStatusDetails": "No error.",
            "receivedTimestamp": "2020-09-18T00:22:20.2855749Z",
            "deliveryAttempts": [{"timestamp": "2020-09-18T00:22:14.9315918Z", "segmentsSucceeded": 1, "segmentsFailed": 0}],
            "Tag": "Optional customer-tag set in the original message"
          },
          "eventType": "Microsoft.Communication.SMSDeliveryReportReceived",
          "dataVersion": "1.0",
          "metadataVersion": "1",
          "eventTime": "2020-09-18T00:22:20Z"
        }]
        """

    static let validation = """
        [{
          "id": "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
          "topic": "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
          "subject": "",
          "data": {
            "validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
            "validationUrl": "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/estest/validate?id=512d38b6-c7b8-40c8-89fe-f46f9e9622b6&t=2018-04-26T20:30:54.4538837Z&apiVersion=2018-05-01-preview&token=1A1A1A1A"
          },
          "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
          "eventTime": "2018-01-25T22:12:19.4556811Z",
          "metadataVersion": "1",
          "dataVersion": "1"
        }]
        """

    static let cloudEventPascalCase = """
        {
          "source": "/subscriptions/50ad1522-5c2c-4d9a-a6c8-67c11ecb75b8/resourcegroups/acse2e/providers/microsoft.communication/communicationservices/res",
          "subject": "/phonenumber/15555555555",
          "type": "Microsoft.Communication.SMSReceived",
          "time": "2020-09-18T00:27:47.0000000Z",
          "id": "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
          "data": {
            "MessageId": "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
            "From": "15555555555",
            "To": "15555555555",
            "Message": "Great to connect with ACS events",
            "ReceivedTimestamp": "2020-09-18T00:27:45.32Z"
          },
          "specVersion": "1.0"
        }
        """

    @Test func smsReceivedEventGridSchema() throws {
        let result = try adapter.handle(acsRequest(body: Self.smsReceived), now: testNow)
        let expected = InboundMessage(
            providerMessageID: "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e",
            dedupeKey: "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e", from: "15555555555",
            to: "15555555555", text: "Great to connect with Azure Communication Services events", media: [],
            medium: .sms,
            receivedAt: HTTPDate.rfc3339("2020-09-18T00:27:45.32Z")!)
        #expect(storedEvents(result) == [.message(expected)])
        #expect(reply(result) == WebhookReply(status: 200))
    }

    @Test func cloudEventSingleWithPascalCaseDataKeys() throws {
        let result = try adapter.handle(
            acsRequest(body: Self.cloudEventPascalCase, contentType: "application/cloudevents+json; charset=utf-8"),
            now: testNow)
        guard case .message(let message) = storedEvents(result).first else {
            Issue.record("no message")
            return
        }
        #expect(message.providerMessageID == "Incoming_20200918002745d29ebbea-3341-4466-9690-0a03af35228e")
        #expect(message.from == "15555555555")
        #expect(message.to == "15555555555")
        #expect(message.text == "Great to connect with ACS events")
    }

    @Test func cloudEventsBatchKeepsOrderAndIgnoresUnknownTypes() throws {
        let batch = """
            [
              {"specversion": "1.0", "type": "Microsoft.Communication.SMSReceived", "id": "e1", "source": "s",
               "data": {"messageId": "m1", "from": "+14155550100", "to": "+18005550100", "message": "one"}},
              {"specversion": "1.0", "type": "Microsoft.Communication.ChatMessageReceived", "id": "e2", "source": "s", "data": {}},
              {"specversion": "1.0", "type": "Microsoft.Communication.SMSDeliveryReportReceived", "id": "e3", "source": "s",
               "data": {"messageId": "Outgoing_1", "deliveryStatus": "Failed", "deliveryStatusDetails": "Blocked by carrier"}}
            ]
            """
        let result = try adapter.handle(
            acsRequest(body: batch, contentType: "application/cloudevents-batch+json"), now: testNow)
        let events = storedEvents(result)
        #expect(events.count == 2)
        guard case .message(let message) = events.first, case .status(let report) = events.last else {
            Issue.record("wrong events: \(events)")
            return
        }
        #expect(message.dedupeKey == "e1")
        #expect(message.text == "one")
        #expect(message.receivedAt == testNow)
        #expect(
            report
                == DeliveryReport(
                    providerMessageID: "Outgoing_1", dedupeKey: "e3", status: .failed,
                    error: ProviderErrorDetail(code: "Failed", message: "Blocked by carrier"), receivedAt: testNow))

        let decoded = try AzureEventBatch(
            JSONValue.parse(Array(batch.utf8), maxDepth: 64, what: "t"), what: "t", now: testNow)
        #expect(decoded.ignoredEventTypes == ["Microsoft.Communication.ChatMessageReceived"])
    }

    @Test func deliveredReport() throws {
        let result = try adapter.handle(acsRequest(body: Self.deliveryReport), now: testNow)
        #expect(
            storedEvents(result) == [
                .status(
                    DeliveryReport(
                        providerMessageID: "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910",
                        dedupeKey: "Outgoing_202009180022138813a09b-0cbf-4304-9b03-1546683bb910", status: .delivered,
                        receivedAt: testNow))
            ])
    }

    @Test func onlyIgnoredEventsAnswer200AtOnce() throws {
        let body = #"[{"id": "x1", "eventType": "Microsoft.Communication.ChatMessageReceived", "data": {}}]"#
        let result = try adapter.handle(acsRequest(body: body), now: testNow)
        #expect(isImmediate(result))
        #expect(reply(result) == WebhookReply(status: 200))
    }

    @Test func validationHandshake() throws {
        let result = try adapter.handle(
            acsRequest(body: Self.validation, headers: [(name: "aeg-event-type", value: "SubscriptionValidation")]),
            now: testNow)
        #expect(isImmediate(result))
        let answer = reply(result)
        #expect(answer.status == 200)
        #expect(answer.headers["Content-Type"] == "application/json")
        let json = try JSONValue.parse(answer.body, maxDepth: 4, what: "t")
        #expect(json == .object(["validationResponse": .string("512d38b6-c7b8-40c8-89fe-f46f9e9622b6")]))
    }

    @Test func validationNeedsTheCodeToo() {
        let error = thrownError { _ = try adapter.handle(acsRequest(body: Self.validation, code: nil), now: testNow) }
        #expect(error?.code == "signature-missing")
    }

    @Test func optionsAbuseProtection() throws {
        let request = acsRequest(
            method: "OPTIONS", contentType: nil,
            headers: [(name: "WebHook-Request-Origin", value: "eventgrid.azure.net")])
        let result = try adapter.handle(request, now: testNow)
        #expect(isImmediate(result))
        #expect(
            reply(result)
                == WebhookReply(
                    status: 200,
                    headers: [
                        "WebHook-Allowed-Origin": "eventgrid.azure.net", "WebHook-Allowed-Rate": "*",
                        "Allow": "POST, OPTIONS",
                    ]))
        let unauthenticated = thrownError {
            _ = try adapter.handle(acsRequest(method: "OPTIONS", contentType: nil, code: nil), now: testNow)
        }
        #expect(unauthenticated?.status == 403)
        #expect(unauthenticated?.field == "code")
    }

    @Test func missingCodeIs403SignatureMissing() {
        let error = thrownError { _ = try adapter.handle(acsRequest(body: Self.smsReceived, code: nil), now: testNow) }
        #expect(error?.status == 403)
        #expect(error?.code == "signature-missing")
        #expect(error?.field == "code")
        #expect(error?.message.contains("acs-main") == true)
    }

    @Test func wrongCodeIs403SignatureInvalidWithoutEchoingIt() {
        let error = thrownError {
            _ = try adapter.handle(acsRequest(body: Self.smsReceived, code: "grid-secreT"), now: testNow)
        }
        #expect(error?.status == 403)
        #expect(error?.code == "signature-invalid")
        #expect(error?.field == "code")
        #expect(error?.message.contains("grid-secre") == false)
        #expect(
            thrownError { _ = try adapter.handle(acsRequest(body: Self.smsReceived, code: ""), now: testNow) }?.code
                == "signature-missing")
    }

    @Test func contentTypes() {
        for type in [
            "application/json", "application/json; charset=utf-8", "application/cloudevents+json",
            "application/cloudevents-batch+json",
        ] {
            #expect(
                thrownError {
                    _ = try adapter.handle(acsRequest(body: Self.smsReceived, contentType: type), now: testNow)
                } == nil, "\(type)")
        }
        for type in ["text/plain", "application/x-www-form-urlencoded", nil] {
            let error = thrownError {
                _ = try adapter.handle(acsRequest(body: Self.smsReceived, contentType: type), now: testNow)
            }
            #expect(error?.status == 415, "\(type ?? "none")")
            #expect(error?.code == "unsupported-media-type")
        }
    }

    @Test func malformedBodyIs400() {
        for body in ["[{", "42", #"["not an object"]"#] {
            let error = thrownError { _ = try adapter.handle(acsRequest(body: body), now: testNow) }
            #expect(error?.status == 400, "\(body)")
            #expect(error?.code == "invalid-request", "\(body)")
        }
        let context = WebhookContext(publicURL: "https://gw.example.com", limits: .init(maxJSONDepth: 2))
        let shallow = AzureEventGridAdapter(channel: acsChannel, context: context)
        let error = thrownError { _ = try shallow.handle(acsRequest(body: Self.smsReceived), now: testNow) }
        #expect(error?.code == "limit-exceeded")
        #expect(error?.field == "maxJSONDepth")
    }

    @Test func missingRequiredFieldsNameTheField() {
        let sms = "Microsoft.Communication.SMSReceived"
        let report = "Microsoft.Communication.SMSDeliveryReportReceived"
        let cases: [(String, String)] = [
            (#"{"eventType": "\#(sms)", "data": {"messageId": "m", "from": "f", "to": "t", "message": "x"}}"#, "id"),
            (#"{"id": "", "eventType": "\#(sms)", "data": {}}"#, "id"),
            (
                #"{"id": "e", "eventType": "\#(sms)", "data": {"from": "f", "to": "t", "message": "x"}}"#,
                "data.messageId"
            ),
            (
                #"{"id": "e", "eventType": "\#(sms)", "data": {"messageId": "m", "to": "t", "message": "x"}}"#,
                "data.from"
            ),
            (
                #"{"id": "e", "eventType": "\#(sms)", "data": {"messageId": "m", "from": "f", "message": "x"}}"#,
                "data.to"
            ),
            (
                #"{"id": "e", "eventType": "\#(sms)", "data": {"messageId": "m", "from": "f", "to": "t"}}"#,
                "data.message"
            ),
            (#"{"id": "e", "eventType": "\#(sms)"}"#, "data.messageId"),
            (#"{"id": "e", "eventType": "\#(report)", "data": {"deliveryStatus": "Delivered"}}"#, "data.messageId"),
            (#"{"id": "e", "data": {}}"#, "eventType"),
        ]
        for (body, field) in cases {
            let error = thrownError { _ = try adapter.handle(acsRequest(body: body), now: testNow) }
            #expect(error?.status == 400, "\(body)")
            #expect(error?.code == "missing-field", "\(body)")
            #expect(error?.field == field, "\(body)")
            #expect(error?.message.contains("acs-main") == true)
        }
    }

    @Test func routeAndMethodChecks() {
        #expect(
            thrownError {
                _ = try adapter.handle(
                    WebhookRequest(method: "POST", kind: "inbound", query: "code=grid-secret", headers: [], body: []),
                    now: testNow)
            }?.status == 404)
        let error = thrownError { _ = try adapter.handle(acsRequest(method: "GET"), now: testNow) }
        #expect(error?.status == 405)
        #expect(error?.code == "method-not-allowed")
    }

    @Test func fixtureSignerAddsTheCode() throws {
        let signer = AzureFixtureSigner(channel: acsChannel)
        let signed = signer.sign(
            method: "POST", kind: "events", query: "a=1&code=old", headers: [], body: [], now: testNow)
        #expect(signed.query == "a=1&code=grid-secret")
        var request = acsRequest(body: Self.smsReceived, code: nil)
        request.query =
            signer.sign(method: "POST", kind: "events", query: "", headers: [], body: [], now: testNow).query
        #expect(storedEvents(try adapter.handle(request, now: testNow)).count == 1)
    }
}
