import Curl
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
        (#"{"retention": {"dedupeDays": 1}}"#, "retention.dedupeDays"),
        (#"{"retention": {"messagesDays": -1}}"#, "retention.messagesDays"),
        (#"{"retention": {"decisionsDays": "a week"}}"#, "retention.decisionsDays"),
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

    // MARK: Conventions (issue 14)

    @Test func versionPrintsTheSemanticVersion() async throws {
        let result = try await CLIProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "switchboard \(SwitchboardVersion.current)\n")
        #expect(SwitchboardVersion.current.wholeMatch(of: /\d+\.\d+\.\d+/) != nil)
    }

    @Test(arguments: [
        ["--no-such-option"],
        ["frobnicate"],
        ["check-config", "--config"],
        ["check-config", "--bogus"],
        ["send", "--to", "+14155550100", "--text", "x"],
        ["replay"],
        ["contacts", "import"],
    ])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let result = try await CLIProcess.run(arguments)
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Error:"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Usage:"), "stderr: \(result.stderr)")
    }

    @Test func theConfigFileIsTheOptionElseSwitchboardConfigElseSwitchboardJSON() async throws {
        let fromEnvironment = try write("env.json", #"{"listen": {"port": 9201}}"#)
        let fromOption = try write("option.json", #"{"listen": {"port": 9202}}"#)
        _ = try write("switchboard.json", #"{"listen": {"port": 9203}}"#)
        func port(_ arguments: [String], _ environment: [String: String]) async throws -> JSONValue? {
            let result = try await CLIProcess.run(
                ["check-config"] + arguments, environment: environment, directory: directory)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(!result.stderr.contains("SWITCHBOARD_CONFIG"), "stderr: \(result.stderr)")
            return try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))["listen"]?["port"]
        }
        #expect(try await port([], ["SWITCHBOARD_CONFIG": fromEnvironment]) == .number(9201))
        #expect(try await port(["--config", fromOption], ["SWITCHBOARD_CONFIG": fromEnvironment]) == .number(9202))
        #expect(try await port([], [:]) == .number(9203))

        let missing = try await CLIProcess.run(
            ["check-config"], environment: ["SWITCHBOARD_CONFIG": directory.appendingPathComponent("none.json").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("none.json"))
    }

    @Test func secretsMayComeFromFiles() async throws {
        let admin = try write("admin-token", "file-admin-token-9876\n")
        let twilio = try write("twilio-token", "file-twilio-token-5432\n")
        let config = try write(
            "config.json",
            """
            {"adminTokenFile": "\(admin)",
             "channels": [{"id": "t", "provider": "twilio",
                           "credentials": {"accountSID": "AC1", "authTokenFile": "\(twilio)"}}]}
            """)
        let result = try await CLIProcess.run(["check-config", "--config", config])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.stdout.utf8))
        #expect(json["adminToken"] == .string("***9876"))
        #expect(json["channels"]?.arrayValue?.first?["credentials"]?["authToken"] == .string("***5432"))
        #expect(!result.stdout.contains("file-admin-token") && !result.stdout.contains("authTokenFile"))

        let missingPath = directory.appendingPathComponent("no-such-secret").path
        let missing = try write(
            "missing.json",
            """
            {"channels": [{"id": "t", "provider": "twilio",
                           "credentials": {"accountSID": "AC1", "authTokenFile": "\(missingPath)"}}]}
            """)
        let unreadable = try await CLIProcess.run(["check-config", "--config", missing])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("channels[0].credentials.authTokenFile"), "stderr: \(unreadable.stderr)")
        #expect(unreadable.stderr.contains(missingPath))

        let both = try write("both.json", #"{"adminToken": "x", "adminTokenFile": "\#(admin)"}"#)
        let twice = try await CLIProcess.run(["check-config", "--config", both])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("adminToken and adminTokenFile"), "stderr: \(twice.stderr)")

        let fromVariable = try await CLIProcess.run(
            ["check-config", "--config", example], environment: ["SWITCHBOARD_ADMINTOKEN_FILE": admin])
        #expect(fromVariable.status == 0, "stderr: \(fromVariable.stderr)")
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: Data(fromVariable.stdout.utf8))["adminToken"]
                == .string("***9876"))
    }

    @Test func anUnknownLogFormatOrLevelIsAUsageError() async throws {
        let format = try await CLIProcess.run(
            ["check-config", "--config", example], environment: ["LOG_FORMAT": "xml"])
        #expect(format.status == 2)
        #expect(format.stderr.contains("LOG_FORMAT"), "stderr: \(format.stderr)")
        let level = try await CLIProcess.run(["check-config", "--config", example], environment: ["LOG_LEVEL": "loud"])
        #expect(level.status == 2)
        #expect(level.stderr.contains("LOG_LEVEL"), "stderr: \(level.stderr)")
    }

    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let port = try await ChildGateway.freePort()
        let config = try write(
            "config.json", #"{"listen": {"port": \#(port)}, "database": "sqlite:\#(directory.path)/db.sqlite"}"#)
        let gateway = ChildGateway(
            configPath: config, port: port, logURL: directory.appendingPathComponent("serve.log"),
            environment: ["LOG_FORMAT": "json", "SWITCHBOARD_NO_SUCH_KEY": "1"])
        try await CurlClient.withCurlClient { client in
            do {
                try await gateway.start(client: client)
            } catch {
                await gateway.stopIfRunning()
                throw error
            }
            #expect(await gateway.terminate() == 0)
        }
        let lines = try String(contentsOf: directory.appendingPathComponent("serve.log"), encoding: .utf8)
            .split(separator: "\n")
        #expect(!lines.isEmpty)
        var messages: [String] = []
        for line in lines {
            guard case .object(let object) = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)) else {
                Issue.record("not a JSON object: \(line)")
                continue
            }
            for key in ["ts", "level", "label", "message"] {
                #expect(object[key]?.stringValue != nil, "no \(key) in \(line)")
            }
            #expect(object["ts"]?.stringValue?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
            messages.append(object["message"]?.stringValue ?? "")
        }
        #expect(messages.contains { $0.contains("listening on 127.0.0.1:\(port)") }, "\(messages)")
        #expect(messages.contains { $0.contains("SWITCHBOARD_NO_SUCH_KEY is not a setting") }, "\(messages)")
    }

    @Test func serveHelpListsTheEnvironment() async throws {
        let result = try await CLIProcess.run(["serve", "--help"])
        #expect(result.status == 0)
        for name in [
            "SWITCHBOARD_CONFIG", "SWITCHBOARD_<PATH>", "SWITCHBOARD_LISTEN_PORT=9000", "SWITCHBOARD_<PATH>_FILE",
            "LOG_LEVEL", "LOG_FORMAT", "authTokenFile",
        ] {
            #expect(result.stdout.contains(name), "\(name) not in: \(result.stdout)")
        }
    }

    @Test func backupCopiesTheSQLiteDatabaseAndRefusesWhatItCannotDo() async throws {
        let config = try write(
            "backup.json", #"{"database": "sqlite:\#(directory.appendingPathComponent("db.sqlite").path)"}"#)
        // check-config opens nothing; `send` is not wanted: create the database through a short-lived store.
        _ = try await CLIProcess.run([
            "contacts", "import", try write("c.csv", "name,mobile_phone\nA,+14155550100\n"), "--config", config,
        ])
        let copy = directory.appendingPathComponent("copy.sqlite").path
        let done = try await CLIProcess.run(["backup", copy, "--config", config])
        #expect(done.status == 0, "stderr: \(done.stderr)")
        #expect(FileManager.default.fileExists(atPath: copy))

        let unwritable = "/proc/switchboard-backup.sqlite"
        let refused = try await CLIProcess.run(["backup", unwritable, "--config", config])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(unwritable))

        let postgres = try write(
            "pg.json", #"{"database": "postgres://u:p@127.0.0.1:9/db", "cluster": {"secret": "s"}}"#)
        let pg = try await CLIProcess.run(["backup", copy + "-pg", "--config", postgres])
        #expect(pg.status == 2)
        #expect(pg.stderr.contains("pg_dump"))
    }
}
