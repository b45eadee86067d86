import Foundation
import GRDB
import Switchboard

extension SQLiteStore {
    public func recordHandoff(_ record: HandoffRecord) async throws -> HandoffOutcome {
        try await write { db in try Self.recordHandoff(record, db) }
    }

    static func recordHandoff(_ record: HandoffRecord, _ db: Database) throws -> HandoffOutcome {
        // Handoff ids share the inbound dedupe table under their own prefix, so they never meet a message id.
        let key = "handoff:" + record.dedupeKey
        if let first = try DedupeKeys.find(channelID: record.channelID, kind: .inbound, key: key, db),
            let conversationID = first.conversationID
        {
            return .duplicate(conversationID: conversationID)
        }
        let at = record.receivedAt.storedPrecision
        try ReplayNonces.check(record.replayGuard, channelID: record.channelID, eventKey: key, at: at, db)
        var (conversation, opened) = try openOrContinue(
            ConversationOpening(
                channelID: record.channelID, customerPhone: record.customerPhone,
                customerIsPhoneNumber: record.customerIsPhoneNumber, medium: record.medium, queue: record.queue, at: at),
            db)
        for line in record.transcript {
            let message = Message(
                id: RecordID.make("msg"), conversationID: conversation.id, direction: .inbound, author: line.author,
                text: line.text, media: [], status: .received, createdAt: at, updatedAt: at)
            try MessageRows.insert(message, channelID: record.channelID, db)
        }
        try db.run(
            "UPDATE conversation SET context_json = ? WHERE id = ?", [record.contextJSON, conversation.id])
        conversation.contextJSON = record.contextJSON
        try DedupeKeys.insert(
            channelID: record.channelID, kind: .inbound, key: key, conversationID: conversation.id, messageID: nil,
            at: at, db)
        return .stored(conversation: conversation, openedConversation: opened)
    }
}

extension SQLiteStore {
    public func setConversationContext(id: String, contextJSON: String?) async throws -> Bool {
        try await write { db in
            try db.run("UPDATE conversation SET context_json = ? WHERE id = ?", [contextJSON, id])
            return db.changesCount > 0
        }
    }
}
