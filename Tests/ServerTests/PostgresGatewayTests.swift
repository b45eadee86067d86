import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// `database = postgres://…`: the gateway and the commands that open the store work on PostgreSQL.
@Suite("Gateway on PostgreSQL", .timeLimit(.minutes(2)))
struct PostgresGatewayTests {
    @Test func gatewayStoresWebhooksOnceAndAnswersTheAPI() async throws {
        try await PostgresTestServer.withDatabase { url in
            var configuration = SMSPathEndToEndTests.configuration(
                twilioAPI: "http://127.0.0.1:1", acsAPI: "http://127.0.0.1:1")
            configuration.database = url
            configuration.cluster = .init(secret: "cluster-test-secret")
            try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
                #expect(try await gateway.request("GET", "/readyz").status == 200)
                #expect(try await gateway.postTwilioSMS(sid: "SM-pg-1", text: "hello").status == 200)
                // A redelivery changes nothing.
                #expect(try await gateway.postTwilioSMS(sid: "SM-pg-1", text: "hello").status == 200)
                #expect(try await gateway.postTwilioSMS(sid: "SM-pg-2", text: "again").status == 200)
                let answer = try await gateway.api("GET", "/v1/conversations", token: "admin-token")
                guard case .array(let conversations) = answer["conversations"] else {
                    throw TestFailure("no conversations in \(answer)")
                }
                #expect(conversations.count == 1)
            }
            // A restart on the same database finds the conversation (and opens no second one).
            try await GatewayHarness.with(configuration, keepDatabase: true) { gateway in
                #expect(try await gateway.postTwilioSMS(sid: "SM-pg-3", text: "still there?").status == 200)
                let answer = try await gateway.api("GET", "/v1/conversations", token: "admin-token")
                guard case .array(let conversations) = answer["conversations"] else {
                    throw TestFailure("no conversations in \(answer)")
                }
                #expect(conversations.count == 1)
            }
        }
    }

    @Test func commandsWorkOnPostgresAndNeverPrintThePassword() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchboard-cli-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        // check-config masks the password; a URL naming no database is refused naming `database`.
        let secret = try write(
            "secret.json",
            #"{"database": "postgres://switchboard:hunter2-secret@127.0.0.1:54329/switchboard", "cluster": {"secret": "cluster-secret-0123"}}"#
        )
        let checked = try await CLIProcess.run(["check-config", "--config", secret])
        #expect(checked.status == 0, "stderr: \(checked.stderr)")
        #expect(!checked.stdout.contains("hunter2-secret"))
        #expect(!checked.stdout.contains("cluster-secret-0123") && checked.stdout.contains("***0123"))
        #expect(checked.stdout.contains("127.0.0.1:54329/switchboard"))
        let broken = try write(
            "broken.json", #"{"database": "postgres://switchboard:hunter2-secret@127.0.0.1:54329/"}"#)
        let refused = try await CLIProcess.run(["check-config", "--config", broken])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("names no database"), "stderr: \(refused.stderr)")
        #expect(!refused.stderr.contains("hunter2-secret"))

        try await PostgresTestServer.withDatabase { url in
            try await TestHTTPServer.withTestHTTPServer(handler: { _ in
                .json(#"{"sid": "SM123", "status": "queued"}"#, status: 201)
            }) { twilio in
                let config = try write(
                    "config.json",
                    """
                    {"database": "\(url)", "publicURL": "https://gw.example.com", "cluster": {"secret": "s"},
                     "channels": [{"id": "twilio-main", "provider": "twilio", "numbers": ["+14155550199"],
                       "credentials": {"accountSID": "AC1", "authToken": "secret"}, "apiBaseURL": "\(twilio.baseURL)"}]}
                    """)
                let csv = try write(
                    "contacts.csv",
                    "name,mobile_phone,region\nCarol,(415) 555-0100,\n,+14155550101,\nDieter,0151 23456789,DE\n")
                let imported = try await CLIProcess.run(["contacts", "import", csv, "--config", config])
                #expect(imported.status == 0, "stderr: \(imported.stderr)")
                #expect(imported.stdout.contains("imported 2, skipped 1"))

                let sent = try await CLIProcess.run(
                    [
                        "send", "--channel", "twilio-main", "--to", "(415) 555-0100", "--text", "Shipped", "--config",
                        config,
                    ])
                #expect(sent.status == 0, "stderr: \(sent.stderr)")
                #expect(sent.stdout.hasPrefix("msg_"))
                #expect(twilio.requests.count == 1)
            }
        }
    }
}
