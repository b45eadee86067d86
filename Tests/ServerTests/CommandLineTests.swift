import Foundation
import Switchboard
import TestHTTPServer
import Testing

/// The `switchboard` executable (CONTRACT.md §1), run as a separate process.
@Suite("Command line", .timeLimit(.minutes(2)))
struct CommandLineTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchboard-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    var example: String { CLIProcess.repository.appendingPathComponent("switchboard.example.json").path }

    @Test func checkConfigPrintsTheEffectiveConfigurationWithSecretsMasked() async throws {
        let result = try await CLIProcess.run(
            ["check-config", "--config", example], environment: ["SWITCHBOARD_LISTEN_PORT": "9123"])
        #expect(result.status == 0)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))
        #expect(json["listen"]?["port"] == .number(9123))
        #expect(json["adminToken"] == .string("***e-me"))
        guard case .array(let channels) = json["channels"], case .array(let agents) = json["agents"] else {
            Issue.record("no channels or agents in \(result.stdout)")
            return
        }
        #expect(channels.first?["credentials"]?["authToken"] == .string("***oken"))
        #expect(channels.first?["credentials"]?["accountSID"] == .string("ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"))
        #expect(agents.first?["token"] == .string("***oken"))
        #expect(!result.stdout.contains("demo-twilio-auth-token"))
        #expect(!result.stdout.contains("demo-alice-token"))
    }

    @Test func unknownEnvironmentVariablesAreIgnoredWithAWarning() async throws {
        let result = try await CLIProcess.run(
            ["check-config", "--config", example], environment: ["SWITCHBOARD_NO_SUCH_KEY": "1"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("SWITCHBOARD_NO_SUCH_KEY is not a setting"))
    }

    @Test(arguments: [
        (
            #"{"channels": [{"id": "x", "provider": "carrier-pigeon"}]}"#,
            "provider carrier-pigeon is not supported; use one of twilio"
        ),
        (#"{"channels": [{"id": "t", "provider": "twilio", "credentials": {"accountSID": "AC1"}}]}"#, "authToken"),
        (
            #"{"channels": [{"id": "t", "provider": "twilio", "credentials": {"accountSID": "AC1", "authToken": "x"}}, {"id": "t", "provider": "twilio", "credentials": {"accountSID": "AC1", "authToken": "x"}}]}"#,
            "used by two channels"
        ),
        (#"{"listen": {"port": "eighty"}}"#, "listen.port"),
        (#"{"notifications": {"templates": {"incoming-fax": {"title": "x"}}}}"#, "incoming-fax is not a scenario"),
        (
            #"{"notifications": {"templates": {"transfer": {"fields": [{"header": "a", "value": "1"}, {"header": "b", "value": "2"}, {"header": "c", "value": "3"}, {"header": "d", "value": "4"}, {"header": "e", "value": "5"}]}}}}"#,
            "at most 4"
        ),
        (#"{"queues": [{"id": "q"}, {"id": "q"}]}"#, "used by two queues"),
        ("not json", "not valid JSON"),
    ])
    func invalidConfigurationsExitTwoNamingTheKey(config: String, named: String) async throws {
        let path = try write("bad.json", config)
        let result = try await CLIProcess.run(["check-config", "--config", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(named), "stderr: \(result.stderr)")
    }

    @Test func contactsImportSkipsBadRowsAndReportsThem() async throws {
        let csv = try write(
            "contacts.csv",
            """
            name,mobile_phone,region,tier
            Carol,(415) 555-0100,,gold
            ,+14155550101,,
            Dieter,0151 23456789,DE,silver
            Bad,12,,
            "Quoted, Name",+44 7700 900123,,

            """)
        let config = try write("config.json", #"{"database": "sqlite:\#(directory.path)/db.sqlite"}"#)
        let result = try await CLIProcess.run(["contacts", "import", csv, "--config", config])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("imported 3, skipped 2"))
        #expect(result.stderr.contains("line 3: name is empty"))
        #expect(result.stderr.contains("line 5: mobile_phone"))

        let empty = try write("empty.csv", "name,mobile_phone\nNobody,1\n")
        let none = try await CLIProcess.run(["contacts", "import", empty, "--config", config])
        #expect(none.status == 1)
        #expect(none.stdout.contains("imported 0, skipped 1"))
    }

    @Test func sendQueuesAndSendsThroughTheProvider() async throws {
        try await TestHTTPServer.withTestHTTPServer(handler: { request in
            request.bodyText.contains("To=%2B14155550100")
                ? .json(#"{"sid": "SM123", "status": "queued"}"#, status: 201)
                : .json(
                    #"{"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}"#,
                    status: 400)
        }) { twilio in
            let config = try write(
                "config.json",
                """
                {"database": "sqlite:\(directory.path)/db.sqlite", "publicURL": "https://gw.example.com",
                 "channels": [{"id": "twilio-main", "provider": "twilio", "numbers": ["+14155550199"],
                   "credentials": {"accountSID": "AC1", "authToken": "secret"}, "apiBaseURL": "\(twilio.baseURL)"}]}
                """)
            let sent = try await CLIProcess.run(
                [
                    "send", "--channel", "twilio-main", "--to", "(415) 555-0100", "--text", "Your order shipped",
                    "--config", config,
                ])
            #expect(sent.status == 0, "stderr: \(sent.stderr)")
            #expect(sent.stdout.hasPrefix("msg_"))
            #expect(twilio.requests.count == 1)
            #expect(
                twilio.requests.first?.bodyText.contains("Body=Your%20order%20shipped") == true
                    || twilio.requests.first?.bodyText.contains("Body=Your+order+shipped") == true)

            let failed = try await CLIProcess.run(
                ["send", "--channel", "twilio-main", "--to", "+1 415 555 0111", "--text", "x", "--config", config])
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("21211"))
            let usage = try await CLIProcess.run(
                ["send", "--channel", "nope", "--to", "+14155550100", "--text", "x", "--config", config])
            #expect(usage.status == 2)
        }
    }
}
