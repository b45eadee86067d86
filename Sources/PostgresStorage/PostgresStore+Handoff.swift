import Foundation
import PostgresNIO
import Switchboard

extension PostgresStore {
    public func recordHandoff(_ record: HandoffRecord) async throws -> HandoffOutcome {
        try await transaction { db in try await Self.recordHandoff(record, db) }
    }

    public func setConversationContext(id: String, contextJSON: String?) async throws -> Bool {
        try await transaction { db in
            try await db.run("UPDATE conversation SET context_json = $1 WHERE id = $2 RETURNING 1", [contextJSON, id])
                > 0
        }
    }

    static func recordHandoff(_ record: HandoffRecord, _ db: SQLSession) async throws -> HandoffOutcome {
        // Handoff ids share the inbound dedupe table under their own prefix, so they never meet a message id.
        let key = "handoff:" + record.dedupeKey
        let at = record.receivedAt.storedPrecision
        if try await !DedupeKeys.claim(channelID: record.channelID, kind: .inbound, key: key, at: at, db),
            let conversationID = try await DedupeKeys.find(channelID: record.channelID, kind: .inbound, key: key, db)?
                .conversationID
        {
            return .duplicate(conversationID: conversationID)
        }
        try await ReplayNonces.check(record.replayGuard, channelID: record.channelID, eventKey: key, at: at, db)
        var (conversation, opened) = try await openOrContinue(
            ConversationOpening(
                channelID: record.channelID, customerPhone: record.customerPhone,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue, at: at),
            db)
        for line in record.transcript {
            let message = Message(
                id: RecordID.make("msg"), conversationID: conversation.id, direction: .inbound, author: line.author,
                text: line.text, media: [], status: .received, createdAt: at, updatedAt: at)
            try await MessageRows.insert(message, channelID: record.channelID, db)
        }
        try await db.run(
            "UPDATE conversation SET context_json = $1 WHERE id = $2", [record.contextJSON, conversation.id])
        conversation.contextJSON = record.contextJSON
        try await DedupeKeys.link(
            channelID: record.channelID, kind: .inbound, key: key, conversationID: conversation.id, messageID: nil, db)
        return .stored(conversation: conversation, openedConversation: opened)
    }
}
