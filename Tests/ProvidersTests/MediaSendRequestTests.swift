import Curl
import Foundation
import Switchboard
import Testing

@testable import Providers

/// Replies with media (MMS) on the wire, byte for byte, as each provider's send API documents them; and which
/// providers say they can send media at all.
@Suite struct MediaSendRequestTests {
    static let media = ["https://media.example.com/a.jpg", "https://media.example.com/b.png?size=2"]

    func message(
        _ channelID: String, to: String, text: String = "Look", callback: String? = nil
    ) -> OutboundMessage {
        OutboundMessage(
            messageID: "msg-1", channelID: channelID, from: nil, to: to, text: text, mediaURLs: Self.media,
            idempotencyKey: "key-1", firstQueuedAt: testNow, statusCallbackURL: callback)
    }

    @Test func providersThatSendMediaSayHowManyAndTheOthersNone() {
        let expected: [(Configuration.Channel, Int)] = [
            (twilioChannel, 10), (telnyxChannel, 10), (plivoChannel, 10), (bandwidthChannel, 10),
            (vonageChannel, 0), (teleSignChannel, 0), (acsChannel, 0), (botChannel, 0),
        ]
        for (channel, count) in expected {
            #expect(ProviderRegistry.module(for: channel.provider)?.maxMediaPerMessage == count, "\(channel.provider)")
        }
    }

    /// `MediaUrl` repeated, in order, after `Body` (providers reference §1.5: repeatable, one per attachment).
    @Test func twilioRepeatsMediaUrl() {
        let request = TwilioMessagesAPI.request(
            for: message(
                "twilio-main", to: "+14155550100", callback: "https://gw.example.com/webhooks/twilio-main/status"),
            channel: twilioChannel)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "To=%2B14155550100&From=%2B14155550199&Body=Look"
                + "&MediaUrl=https%3A%2F%2Fmedia.example.com%2Fa.jpg"
                + "&MediaUrl=https%3A%2F%2Fmedia.example.com%2Fb.png%3Fsize%3D2"
                + "&StatusCallback=https%3A%2F%2Fgw.example.com%2Fwebhooks%2Ftwilio-main%2Fstatus")
    }

    @Test func twilioMediaAloneHasNoBody() {
        let request = TwilioMessagesAPI.request(
            for: message("twilio-main", to: "+14155550100", text: ""), channel: twilioChannel)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "To=%2B14155550100&From=%2B14155550199"
                + "&MediaUrl=https%3A%2F%2Fmedia.example.com%2Fa.jpg"
                + "&MediaUrl=https%3A%2F%2Fmedia.example.com%2Fb.png%3Fsize%3D2")
    }

    @Test func telnyxSendsMediaURLs() {
        let request = TelnyxMessagesAPI.request(
            for: message("telnyx-main", to: "+13125550100"), channel: telnyxChannel)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"from":"+13125550199","media_urls":["https://media.example.com/a.jpg","#
                + #""https://media.example.com/b.png?size=2"],"messaging_profile_id":"profile-1","text":"Look","#
                + #""to":"+13125550100"}"#)
        let alone = TelnyxMessagesAPI.request(
            for: message("telnyx-main", to: "+13125550100", text: ""), channel: telnyxChannel)
        #expect(!String(decoding: alone.body, as: UTF8.self).contains(#""text""#))
    }

    /// `type: mms` with `media_urls` (plivo-python `Messages.create(type_='mms', media_urls=[…])`).
    @Test func plivoSendsAnMMS() {
        let request = PlivoMessagesAPI.request(for: message("plivo-main", to: "+14155550100"), channel: plivoChannel)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"dst":"14155550100","media_urls":["https://media.example.com/a.jpg","#
                + #""https://media.example.com/b.png?size=2"],"src":"14155550199","text":"Look","type":"mms"}"#)
        let alone = PlivoMessagesAPI.request(
            for: message("plivo-main", to: "+14155550100", text: ""), channel: plivoChannel)
        #expect(
            String(decoding: alone.body, as: UTF8.self)
                == #"{"dst":"14155550100","media_urls":["https://media.example.com/a.jpg","#
                + #""https://media.example.com/b.png?size=2"],"src":"14155550199","type":"mms"}"#)
    }

    @Test func bandwidthSendsMedia() throws {
        let request = try BandwidthMessagesAPI.request(
            for: message("bandwidth-main", to: "+19195550100"), channel: bandwidthChannel, token: "tok-1")
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"applicationId":"app-123","from":"+19195550199","media":["https://media.example.com/a.jpg","#
                + #""https://media.example.com/b.png?size=2"],"text":"Look","to":["+19195550100"]}"#)
        let alone = try BandwidthMessagesAPI.request(
            for: message("bandwidth-main", to: "+19195550100", text: ""), channel: bandwidthChannel, token: "tok-1")
        #expect(!String(decoding: alone.body, as: UTF8.self).contains(#""text""#))
    }
}
