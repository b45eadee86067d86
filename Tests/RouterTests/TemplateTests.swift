import Foundation
import Router
import Switchboard
import Testing

@Suite("Notification templates")
struct TemplateTests {
    @Test func everyScenarioHasADefaultTitle() throws {
        var router = RouterHarness(
            agents: [.init(id: "alice", capacity: 1000)], notifications: .init(autoAccept: true, maxPendingAlerts: 5))
        router.connect("alice")
        router.notify("c1")
        #expect(router.effects.notifications(to: "alice").first?.title == "Incoming SMS from Ada Lovelace")
        router.notify("c2", medium: .voice)
        #expect(router.effects.notifications(to: "alice").first?.title == "Incoming call from Ada Lovelace")
        let item = router.machine.submitWorkItem(.init(id: "w1", kind: "case", title: "Refund"), now: router.now)
        #expect(item.effects.notifications(to: "alice").first?.title == "Case assigned: Refund")
        let task = router.machine.submitWorkItem(.init(id: "w2", kind: "task", title: "Call back"), now: router.now)
        let toast = try #require(task.effects.notifications(to: "alice").first)
        #expect(toast.title == "Work item: Call back" && toast.kind == .toast && toast.timeoutSeconds == 10)
        #expect(toast.fields == [.init(header: "Title", value: "Call back"), .init(header: "Queue", value: "default")])
    }

    @Test func templatesOverrideDefaultsAndChannelsOverrideTemplates() throws {
        let global = Configuration.NotificationTemplate(
            title: "{channel} from {customerName} in {queue}, waited {waitSeconds} s",
            fields: [.init(header: "Who", value: "{phone}"), .init(header: "Where", value: "{channelId}")],
            timeoutSeconds: 45, showTimeout: false, allowReject: false, desktop: .always)
        let perChannel = Configuration.NotificationTemplate(title: "VIP line: {customerName} {unknown}")
        var router = RouterHarness(
            agents: [.init(id: "alice", capacity: 1000)],
            notifications: .init(maxPendingAlerts: 5, templates: ["incoming-sms": global]),
            channels: [
                .init(id: "twilio-main", provider: "twilio"),
                .init(id: "vip", provider: "twilio", templates: ["incoming-sms": perChannel]),
            ])
        router.connect("alice")
        let request = RouterHarness.request("c1", at: router.now.addingTimeInterval(-7))
        router.step { $0.notify(request, now: $1) }
        let alert = try #require(router.effects.alerts(to: "alice").first)
        #expect(alert.title == "sms from Ada Lovelace in default, waited 7 s")
        #expect(
            alert.fields == [.init(header: "Who", value: "+14155550100"), .init(header: "Where", value: "twilio-main")])
        #expect(alert.timeoutSeconds == 45 && !alert.showTimeout && !alert.allowReject && alert.desktop == .always)
        #expect(alert.expiresAt == router.now.addingTimeInterval(45))

        router.notify("c2", channelID: "vip")
        let vip = try #require(router.effects.alerts(to: "alice").first)
        #expect(vip.title == "VIP line: Ada Lovelace {unknown}")
        #expect(vip.timeoutSeconds == 45)
    }

    @Test func templatesDecodeFromTheConfigurationFile() throws {
        let json = #"""
            {"notifications": {"templates": {"transfer": {"title": "From {customerName}", "timeoutSeconds": 3}}},
             "channels": [{"id": "t", "provider": "twilio", "templates": {"incoming-sms": {"autoAccept": true}}}],
             "queues": [{"id": "billing", "method": "round-robin", "priority": 2}]}
            """#
        let configuration = try JSONDecoder().decode(Configuration.self, from: Data(json.utf8))
        #expect(configuration.notifications.templates["transfer"]?.title == "From {customerName}")
        #expect(configuration.notifications.templates["transfer"]?.timeoutSeconds == 3)
        #expect(configuration.channels.first?.templates["incoming-sms"]?.autoAccept == true)
        #expect(configuration.queue(id: "billing") == .init(id: "billing", method: .roundRobin, priority: 2))
        #expect(configuration.queue(id: "other").method == .highestCapacity)
        #expect(configuration.notifications.unseenRerouteSeconds == 480)
    }
}
