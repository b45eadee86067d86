import Curl
import Foundation
import Switchboard
import Synchronization
import TestHTTPServer
import Testing

/// Several gateway instances in this process sharing one PostgreSQL database (README "Scaling out").
@Suite("Cluster: instances sharing PostgreSQL", .timeLimit(.minutes(3)))
struct ClusterTests {
    static func configuration(twilioAPI: String) -> Configuration {
        SMSPathEndToEndTests.configuration(twilioAPI: twilioAPI, acsAPI: "http://127.0.0.1:9")
    }

    static func sid() -> String { "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    @Test func aNotificationReachesTheAgentsStreamOnTheOtherInstanceBothWays() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeTwilio) { twilio in
            try await TestCluster.with(Self.configuration(twilioAPI: twilio.baseURL)) { cluster in
                let leader = try await cluster.leader()
                let follower = cluster.follower(of: leader)
                let rounds = [(stream: follower, webhook: leader, "+14155550101"), (leader, follower, "+14155550102")]
                for (stream, webhook, customer) in rounds {
                    let events = try await cluster.instances[stream].events(agent: "alice", token: "alice-token")
                    _ = try await events.next("presence")
                    let answer = try await cluster.instances[webhook].postTwilioSMS(sid: Self.sid(), from: customer)
                    #expect(answer.status == 200)
                    let (_, notification) = try await events.next("notification")
                    #expect(notification["customer"]?["phone"]?.stringValue == customer)
                    // Accepted through the instance holding the stream (forwarded when it is the follower).
                    let accepted = try await cluster.instances[stream].accept(notification, token: "alice-token")
                    #expect(accepted["conversationId"] == notification["conversationId"])
                    await events.close()
                }
            }
        }
    }

    @Test func acceptsRacingOnTwoInstancesAssignTheConversationOnce() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeTwilio) { twilio in
            try await TestCluster.with(Self.configuration(twilioAPI: twilio.baseURL)) { cluster in
                let leader = try await cluster.leader()
                let follower = cluster.follower(of: leader)
                let events = try await cluster.instances[follower].events(agent: "alice", token: "alice-token")
                _ = try await events.next("presence")
                for round in 0..<5 {
                    let customer = "+1415555020\(round)"
                    _ = try await cluster.instances[round % 2].postTwilioSMS(sid: Self.sid(), from: customer)
                    let (_, notification) = try await events.next("notification")
                    let id = try #require(notification["id"]?.stringValue)
                    let path = "/v1/notifications/\(id)/accept"
                    async let viaLeader = cluster.instances[leader].request("POST", path, token: "alice-token")
                    async let viaFollower = cluster.instances[follower].request("POST", path, token: "alice-token")
                    let statuses = try await [viaLeader.status, viaFollower.status].sorted()
                    #expect(statuses == [200, 409], "round \(round)")
                    let conversationID = try #require(notification["conversationId"]?.stringValue)
                    let conversation = try await cluster.instances[follower].api(
                        "GET", "/v1/conversations/\(conversationID)", token: "admin-token")
                    #expect(conversation["assignedAgent"]?.stringValue == "alice")
                    let (_, closed) = try await events.next("notification.closed")
                    #expect(closed["id"]?.stringValue == id && closed["outcome"]?.stringValue == "accepted")
                }
                let extra = try await events.drain().filter { $0.event == "notification.closed" }
                #expect(extra.isEmpty, "a notification closed twice: \(extra.map(\.data))")
                await events.close()
            }
        }
    }

    /// Each reply's first send fails with 503, so it is retried about a second later, when both instances'
    /// workers look for due replies: the claim (`markSending`) decides which one sends it.
    @Test func everyQueuedReplyIsSentOnceWithTheOutboxWorkersOfBothInstancesRunning() async throws {
        let attempts = AttemptLog()
        let fake: TestHTTPServer.Handler = { request in
            let body = FormFields.parse(request.bodyText)?.first { $0.0 == "Body" }?.1 ?? ""
            guard attempts.record(body) > 1 else {
                return .json(#"{"code": 20500, "message": "try later", "status": 503}"#, status: 503)
            }
            var response = SMSPathEndToEndTests.fakeTwilio(request)
            response.delay = .milliseconds(20)
            return response
        }
        try await TestHTTPServer.withTestHTTPServer(handler: fake) { twilio in
            try await TestCluster.with(Self.configuration(twilioAPI: twilio.baseURL)) { cluster in
                let events = try await cluster.instances[0].events(agent: "alice", token: "alice-token")
                _ = try await events.next("presence")
                _ = try await cluster.instances[1].postTwilioSMS(sid: Self.sid(), from: "+14155550301")
                let (_, notification) = try await events.next("notification")
                try await cluster.instances[0].accept(notification, token: "alice-token")
                let conversationID = try #require(notification["conversationId"]?.stringValue)
                let texts = (0..<40).map { "reply \($0)" }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, text) in texts.enumerated() {
                        group.addTask {
                            _ = try await cluster.instances[index % 2].reply(
                                in: conversationID, text: text, token: "alice-token")
                        }
                    }
                    try await group.waitForAll()
                }
                let deadline = ContinuousClock.now + .seconds(30)
                while texts.contains(where: { attempts.count($0) < 2 }), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                // Time for a third attempt of anything claimed twice.
                try await Task.sleep(for: .milliseconds(600))
                let wrong = texts.filter { attempts.count($0) != 2 }.map { ($0, attempts.count($0)) }
                #expect(wrong.isEmpty, "attempts other than one failure and one success: \(wrong)")
                var perInstance: [Double] = []
                for instance in cluster.instances {
                    let metrics = try await instance.request("GET", "/metrics").text
                    perInstance.append(Self.sum(of: "switchboard_outbound_sends_total", in: metrics))
                }
                #expect(perInstance.reduce(0, +) == Double(2 * texts.count), "attempts per instance: \(perInstance)")
                print("cluster outbox: send attempts per instance \(perInstance)")
                await events.close()
            }
        }
    }

    @Test func aFollowerTakesOverFromAStoppedLeaderAndOffersTheWaitingConversationAgain() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeTwilio) { twilio in
            try await TestCluster.with(Self.configuration(twilioAPI: twilio.baseURL), count: 3) { cluster in
                let leader = try await cluster.leader()
                let streamOn = cluster.follower(of: leader)
                let events = try await cluster.instances[streamOn].events(agent: "alice", token: "alice-token")
                _ = try await events.next("presence")
                _ = try await cluster.instances[leader].postTwilioSMS(sid: Self.sid(), from: "+14155550401")
                let (_, first) = try await events.next("notification")

                let stoppedAt = ContinuousClock.now
                await cluster.stop(leader)
                let next = try await cluster.leader(within: .seconds(10))
                let tookOver = ContinuousClock.now - stoppedAt
                #expect(next != leader)

                // The new leader restored the conversation (unassigned) and offers it again to alice, whose stream
                // its instance told it of.
                let (_, again) = try await events.next("notification", timeout: .seconds(10))
                #expect(again["conversationId"] == first["conversationId"])
                #expect(again["id"] != first["id"])
                print(
                    "cluster failover: new leader after \(tookOver), offered again after \(ContinuousClock.now - stoppedAt)"
                )
                try await cluster.waitUntilSettled()
                try await cluster.instances[streamOn].accept(again, token: "alice-token")
                for index in cluster.instances.indices where index != leader {
                    let agents = try await cluster.instances[index].api("GET", "/v1/agents/alice", token: "admin-token")
                    #expect(agents["signedIn"] == .bool(true))
                }
                await events.close()
            }
        }
    }

    @Test func aForwardedRequestIsNeverForwardedAgainAndInternalCallsNeedTheSecret() async throws {
        try await TestCluster.with(Self.configuration(twilioAPI: "http://127.0.0.1:9")) { cluster in
            let leader = try await cluster.leader()
            let follower = cluster.follower(of: leader)
            let forwarded = try await cluster.instances[follower].request(
                "GET", "/v1/agents", token: "admin-token",
                headers: [(name: "Switchboard-Forwarded-By", value: "http://127.0.0.1:1")])
            #expect(forwarded.status == 503 && forwarded.header("Retry-After") == "1")
            #expect(forwarded.json?["error"]?.stringValue == "unavailable")
            // Through the follower without the header: the leader's answer, and the follower counts it.
            #expect(
                try await cluster.instances[follower].request("GET", "/v1/agents", token: "admin-token").status == 200)
            let metrics = try await cluster.instances[follower].request("GET", "/metrics").text
            #expect(Self.sum(of: "switchboard_cluster_forwarded_requests_total", in: metrics) >= 1)
            #expect(metrics.contains("switchboard_cluster_leader 0"))

            // A call on its own route and in a batch: the secret is needed; only the leader runs them.
            let body = #"{"agentID": "alice", "count": 1}"#
            let batch = #"[{"agent-connected": {"agentID": "alice", "count": 1}}]"#
            for (path, json) in [("/internal/cluster/agent-connected", body), ("/internal/cluster/calls", batch)] {
                for token in [nil, "wrong-secret", "admin-token"] {
                    let refused = try await cluster.instances[leader].request("POST", path, token: token, json: json)
                    #expect(refused.status == 401, "\(path), token \(token ?? "none")")
                }
                let accepted = try await cluster.instances[leader].request(
                    "POST", path, token: TestCluster.secret, json: json)
                #expect(accepted.status == 204, "\(path)")
                let notLeading = try await cluster.instances[follower].request(
                    "POST", path, token: TestCluster.secret, json: json)
                #expect(notLeading.status == 503, "\(path)")
            }
            // A body that is no batch is a 400 naming the route.
            let notABatch = try await cluster.instances[leader].request(
                "POST", "/internal/cluster/calls", token: TestCluster.secret, json: body)
            #expect(notABatch.status == 400 && notABatch.text.contains("/internal/cluster/calls"))
        }
    }

    /// PostgreSQL ends the session holding the leader lock (as after a network failure): the leader notices
    /// within about a second, steps down at once, and the cluster elects a leader again (a new term).
    @Test func aLeaderWhoseLockSessionEndsStepsDownAndTheClusterElectsAgain() async throws {
        try await TestCluster.with(Self.configuration(twilioAPI: "http://127.0.0.1:9")) { cluster in
            let leader = try await cluster.leader()
            let term = try await cluster.query("SELECT term::text FROM cluster_leader")
            // The leader lock is the session-level advisory lock with key 0x5357_4244_4C45_4144.
            let ended = try await cluster.query(
                """
                SELECT pg_terminate_backend(pid)::text FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND classid = 1398227524 AND objid = 1279607108
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """)
            #expect(ended == ["true"])
            let deadline = ContinuousClock.now + .seconds(40)
            var newTerm = term
            while newTerm == term, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                newTerm = try await cluster.query("SELECT term::text FROM cluster_leader")
            }
            #expect(Int(newTerm.first ?? "") ?? 0 > Int(term.first ?? "") ?? 0, "no new term after the lock was lost")
            let next = try await cluster.leader()
            try await cluster.waitUntilSettled()
            print("cluster lock loss: leader \(leader) → \(next), term \(term) → \(newTerm)")
        }
    }

    /// Webhooks arriving together at a follower: their router calls reach the leader in fewer requests than calls
    /// (`POST /internal/cluster/calls`), every one taken, and the leader offers each new conversation.
    @Test func manyWebhooksAtOnceOnAFollowerReachTheLeaderInBatches() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: SMSPathEndToEndTests.fakeTwilio) { twilio in
            try await TestCluster.with(Self.configuration(twilioAPI: twilio.baseURL)) { cluster in
                let leader = try await cluster.leader()
                let follower = cluster.follower(of: leader)
                let events = try await cluster.instances[leader].events(agent: "alice", token: "alice-token")
                _ = try await events.next("presence")
                let webhooks = 40
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<webhooks {
                        group.addTask {
                            try await cluster.instances[follower].postTwilioSMS(
                                sid: Self.sid(), from: "+1415555\(String(format: "%04d", 4_000 + index))"
                            ).status
                        }
                    }
                    for try await status in group { #expect(status == 200) }
                }
                let metrics = try await cluster.instances[follower].request("GET", "/metrics").text
                let taken = Self.sum(of: "switchboard_cluster_leader_calls_total{outcome=\"taken\"}", in: metrics)
                let requests = Self.sum(of: "switchboard_cluster_leader_requests_total", in: metrics)
                #expect(taken == Double(webhooks), "\(metrics)")
                #expect(Self.sum(of: "switchboard_cluster_leader_calls_total{outcome=\"dropped\"}", in: metrics) == 0)
                #expect(requests < Double(webhooks), "calls \(taken), requests \(requests)")
                print("cluster: \(Int(taken)) router calls from a follower in \(Int(requests)) requests")
                // The leader's router has them: alice is offered one of these customers.
                let (_, notification) = try await events.next("notification")
                #expect(notification["customer"]?["phone"]?.stringValue?.hasPrefix("+14155554") == true)
                await events.close()
            }
        }
    }

    /// The sum of every series of a counter in Prometheus text.
    static func sum(of name: String, in metrics: String) -> Double {
        metrics.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }
}

/// How many requests a fake provider API received per message body.
final class AttemptLog: Sendable {
    private let counts = Mutex([String: Int]())

    /// Counts one more attempt of `body`; returns the count.
    func record(_ body: String) -> Int {
        counts.withLock {
            $0[body, default: 0] += 1; return $0[body]!
        }
    }

    func count(_ body: String) -> Int { counts.withLock { $0[body] ?? 0 } }
}
