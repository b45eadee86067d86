import Foundation
import Switchboard
import Testing

@testable import Providers

@Suite struct BandwidthWebhookTests {
    @Test func inboundSMS() throws {
        let result = try bandwidthHandle(bandwidthCallback("message-received", message: bandwidthInbound()))
        #expect(reply(result) == WebhookReply(status: 200))
        #expect(
            storedEvents(result) == [
                .message(
                    InboundMessage(
                        providerMessageID: "in-1", dedupeKey: "message-received:in-1", from: "+19195550100",
                        to: "+19195550199", text: "Hello", receivedAt: utcDate(2025, 11, 25, 7, 41, 0) + 0.5))
            ])
    }

    @Test func inboundMMSMediaBecomeAttachments() throws {
        let media =
            #"["https://messaging.bandwidth.com/api/v2/users/9900000/media/in-2/0/photo.JPG","https://messaging.bandwidth.com/api/v2/users/9900000/media/in-2/1/0.smil","https://example.com/blob"]"#
        let result = try bandwidthHandle(
            bandwidthCallback("message-received", message: bandwidthInbound(id: "in-2", text: "", media: media)))
        guard case .message(let message) = storedEvents(result).first else {
            Issue.record("no message")
            return
        }
        #expect(message.text == "")
        #expect(
            message.media == [
                MediaAttachment(
                    url: "https://messaging.bandwidth.com/api/v2/users/9900000/media/in-2/0/photo.JPG",
                    contentType: "image/jpeg"),
                MediaAttachment(
                    url: "https://messaging.bandwidth.com/api/v2/users/9900000/media/in-2/1/0.smil",
                    contentType: "application/smil"),
                MediaAttachment(url: "https://example.com/blob", contentType: "application/octet-stream"),
            ])
    }

    func deliveryReport(_ callback: String) throws -> DeliveryReport? {
        guard case .status(let report) = storedEvents(try bandwidthHandle(callback)).first else { return nil }
        return report
    }

    @Test(arguments: [
        ("message-sending", MessageStatus.sending), ("message-sent", .sent), ("message-delivered", .delivered),
    ])
    func deliveryCallbacks(type: String, status: MessageStatus) throws {
        let report = try #require(
            try deliveryReport(bandwidthCallback(type, to: "+19195550100", message: bandwidthOutbound())))
        #expect(report.providerMessageID == "out-1")
        #expect(report.dedupeKey == "\(type):out-1")
        #expect(report.status == status)
        #expect(report.error == nil)
        #expect(!report.optedOut)
    }

    @Test func failedKeepsErrorCodeAndDescription() throws {
        let report = try #require(
            try deliveryReport(
                bandwidthCallback(
                    "message-failed", to: "+19195550100", description: "forbidden to country",
                    message: bandwidthOutbound(), extra: #""errorCode":4432,"#)))
        #expect(report.status == .failed)
        #expect(report.error == ProviderErrorDetail(code: "4432", message: "forbidden to country"))
        #expect(!report.optedOut)
    }

    @Test func optOutErrorCodeMarksOptedOut() throws {
        let optOut = try #require(
            try deliveryReport(
                bandwidthCallback(
                    "message-failed", to: "+19195550100", message: bandwidthOutbound(),
                    extra: #""errorCode":"4775","#)))
        #expect(optOut.status == .optedOut)
        #expect(optOut.optedOut)
        #expect(optOut.error?.code == "4775")
        // Spam (4470) and an invalid destination (4720) are failures, not opt-outs.
        for code in ["4470", "4720"] {
            let other = try #require(
                try deliveryReport(
                    bandwidthCallback(
                        "message-failed", message: bandwidthOutbound(), extra: #""errorCode":\#(code),"#)))
            #expect(other.status == .failed)
            #expect(!other.optedOut)
        }
    }

    @Test func unhandledTypesAreAnsweredAndNotStored() throws {
        for type in ["message-read", "suggestion-response", "something-new"] {
            let result = try bandwidthHandle(bandwidthCallback(type, message: bandwidthOutbound()))
            #expect(isImmediate(result))
            #expect(reply(result).status == 200)
        }
        #expect(isImmediate(try bandwidthHandle()))
    }

    @Test func aBatchKeepsItsOrderAndSkipsUnhandledTypes() throws {
        let result = try bandwidthHandle(
            bandwidthCallback("message-delivered", message: bandwidthOutbound(id: "out-7")),
            bandwidthCallback("message-read", message: bandwidthOutbound(id: "out-7")),
            bandwidthCallback("message-received", message: bandwidthInbound(id: "in-8")))
        let events = storedEvents(result)
        #expect(events.count == 2)
        guard case .status(let first) = events.first, case .message(let second) = events.last else {
            Issue.record("wrong events \(events)")
            return
        }
        #expect(first.providerMessageID == "out-7")
        #expect(second.providerMessageID == "in-8")
    }

    @Test func aLoneCallbackObjectIsABatchOfOne() throws {
        let body = bandwidthCallback("message-received", message: bandwidthInbound(id: "in-9"))
        let result = try bandwidthAdapter.handle(bandwidthRequest(body), now: testNow)
        #expect(storedEvents(result).count == 1)
    }

    @Test func timeFallsBackToNow() throws {
        let body = #"[{"type":"message-received","to":"+19195550199","message":{\#(bandwidthInbound())}}]"#
        guard
            case .message(let message) = storedEvents(try bandwidthAdapter.handle(bandwidthRequest(body), now: testNow))
                .first
        else {
            Issue.record("no message")
            return
        }
        #expect(message.receivedAt == testNow)
    }
}
