import Foundation

/// The PostgreSQL ingest lines' ceiling (issue 18): what the server itself does with one webhook's writes — a
/// dedupe key, a conversation upsert, a message — run by `pgbench` (32 clients, prepared statements) on the same
/// server as the lines (fsync on), in tables of those three shapes. Once with a transaction per webhook, once with
/// ten webhooks a transaction (as our group commit batches them).
struct PgbenchCeiling {
    var clients = 32
    /// Webhooks each client writes (a count, not `-T`: pgbench times `-T` with SIGALRM, which a child of this
    /// process inherits blocked and never receives).
    var webhooksPerClient = 1_500
    /// The most a run may take.
    var timeout: Duration = .seconds(120)

    static let pgbench = "/usr/bin/pgbench"

    static let schema = """
        CREATE TABLE dedupe_key (channel_id text, kind text, key text, created_at bigint, conversation_id text,
            message_id text, PRIMARY KEY (channel_id, kind, key));
        CREATE TABLE conversation (id text PRIMARY KEY, channel_id text NOT NULL, customer_phone text NOT NULL,
            status text NOT NULL, created_at bigint NOT NULL);
        CREATE UNIQUE INDEX conversation_one_open ON conversation (channel_id, customer_phone) WHERE status = 'open';
        CREATE TABLE message (id text PRIMARY KEY, conversation_id text NOT NULL REFERENCES conversation (id),
            text text NOT NULL, created_at bigint NOT NULL);
        """

    /// A pgbench script: `webhooks` times the three statements in one transaction, each webhook from a new
    /// customer (random keys; a repeat is a conflict the statements absorb).
    static func script(webhooks: Int) -> String {
        var script = "BEGIN;\n"
        for index in 0..<webhooks {
            script += """
                \\set n\(index) random(1, 2000000000)
                \\set m\(index) random(1, 2000000000)
                INSERT INTO dedupe_key (channel_id, kind, key, created_at) VALUES ('twilio-main', 'inbound', 'SM' || :client_id || '-' || :n\(index), 0) ON CONFLICT DO NOTHING;
                INSERT INTO conversation (id, channel_id, customer_phone, status, created_at) VALUES ('conv' || :client_id || '-' || :n\(index), 'twilio-main', '+1' || :n\(index), 'open', 0) ON CONFLICT (channel_id, customer_phone) WHERE status = 'open' DO UPDATE SET created_at = conversation.created_at RETURNING id AS conv\(index) \\gset
                INSERT INTO message (id, conversation_id, text, created_at) VALUES ('msg' || :client_id || '-' || :n\(index) || '-' || :m\(index), :conv\(index), 'Hello from the bench', 0);

                """
        }
        return script + "END;\n"
    }

    struct Report {
        var webhooksPerTransaction: Int
        var transactionsPerSecond: Double
        var webhooksPerSecond: Double { transactionsPerSecond * Double(webhooksPerTransaction) }
    }

    /// Runs the script on a fresh database of the server `url` names.
    func run(on url: String, webhooksPerTransaction: Int) async throws -> Report {
        guard FileManager.default.isExecutableFile(atPath: Self.pgbench) else {
            throw BenchError("\(Self.pgbench) is missing: install the Debian package postgresql-client")
        }
        let database = try BenchPostgres.createDatabase(on: url)
        let directory = try makeScratchDirectory("pgbench")
        defer { try? FileManager.default.removeItem(at: directory) }
        let schema = try ChildProcess(
            executable: "/usr/bin/psql", arguments: [database, "-qc", Self.schema],
            logPath: directory.appendingPathComponent("schema.log").path)
        guard try await schema.waitForExit(timeout: .seconds(30)) == 0 else {
            throw BenchError("psql could not create the pgbench tables:\n\(schema.output)")
        }
        let scriptPath = directory.appendingPathComponent("webhook.sql").path
        try Self.script(webhooks: webhooksPerTransaction).write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            executable: Self.pgbench,
            arguments: [
                "-n", "-M", "prepared", "-c", "\(clients)", "-j", "2", "-t",
                "\(max(1, webhooksPerClient / webhooksPerTransaction))", "-f", scriptPath, database,
            ],
            logPath: directory.appendingPathComponent("pgbench.log").path)
        let status: Int32
        do {
            status = try await child.waitForExit(timeout: timeout)
        } catch {
            throw BenchError("\(error):\n\(child.output.suffix(2_000))")
        }
        let output = child.output
        guard status == 0,
            let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst("tps = ".count).prefix { $0 != " " })
        else {
            throw BenchError("pgbench failed (exit \(status)):\n\(output)")
        }
        return Report(webhooksPerTransaction: webhooksPerTransaction, transactionsPerSecond: tps)
    }
}
