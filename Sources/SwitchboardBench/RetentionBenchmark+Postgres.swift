import Foundation
import Switchboard

extension RetentionBenchmark {
    /// The PostgreSQL preparation: a gateway started and stopped once creates the schema (its migrations), then
    /// `psql` inserts the expired rows with SQL in one transaction and analyzes the tables.
    func preparePostgres(_ configuration: Configuration, port: Int, in directory: URL) async throws {
        var migrating = configuration
        migrating.retention = .init(dedupeDays: nil, decisionsDays: nil)
        let gateway = try await GatewayProcess.start(
            migrating, in: directory, name: "retention-migrate", port: port)
        gateway.stop()
        let channel = IngestBenchmark.channelID
        let messages = conversations * Self.messagesPerConversation
        let insert = """
            INSERT INTO conversation (id, channel_id, medium, queue, status, customer_phone, created_at, closed_at)
            SELECT 'conv-old-' || i, '\(channel)', 'sms', 'default', 'closed', '+1415' || lpad(i::text, 7, '0'), 0,
                1000
            FROM generate_series(0, \(conversations - 1)) AS i;
            INSERT INTO message (id, conversation_id, channel_id, direction, author, text, status, provider_message_id,
                created_at, updated_at)
            SELECT 'msg-old-' || i, 'conv-old-' || (i / \(Self.messagesPerConversation)), '\(channel)', 'inbound',
                'customer', 'a message of ordinary length, number ' || i, 'received', 'SMold' || i, 0, 0
            FROM generate_series(0, \(messages - 1)) AS i;
            INSERT INTO message_status_history (message_id, status, at) SELECT id, 'received', 0 FROM message;
            INSERT INTO dedupe_key (channel_id, kind, key, conversation_id, message_id, created_at)
            SELECT channel_id, 'inbound', provider_message_id, conversation_id, id, 0 FROM message;
            """
        let psql = try ChildProcess(
            executable: "/usr/bin/psql",
            arguments: [configuration.database, "-v", "ON_ERROR_STOP=1", "-qc", insert, "-qc", "VACUUM ANALYZE"],
            logPath: directory.appendingPathComponent("psql.log").path)
        guard try await psql.waitForExit(timeout: .seconds(300)) == 0 else {
            throw BenchError("psql could not prepare the rows:\n\(psql.output)")
        }
    }
}
