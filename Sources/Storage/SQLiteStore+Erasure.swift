import Foundation
import GRDB
import Switchboard

// Erasing one customer (CONTRACT.md §12) in one savepoint. `secure_delete` (SQLiteStore.init) overwrites what is
// deleted, so the number and the messages are gone from the file, not just unlinked.

extension SQLiteStore {
    public func eraseCustomer(_ customer: String) async throws -> CustomerErasureResult {
        try await write { db in try Self.erase(customer, db) }
    }

    static func erase(_ customer: String, _ db: Database) throws -> CustomerErasureResult {
        var conversationIDs: [String] = []
        var openIDs: [String] = []
        for row in try db.rows("SELECT id, status FROM conversation WHERE customer_phone = ?", [customer]) {
            let id: String = try row.required("id")
            let status: String = try row.required("status")
            conversationIDs.append(id)
            if status == ConversationStatus.open.rawValue { openIDs.append(id) }
        }
        let contactIDs = try String.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM contact WHERE mobile_phone_e164 = ?"), arguments: [customer])
        let ofCustomer = "SELECT id FROM conversation WHERE customer_phone = ?"
        let messagesOfCustomer = "SELECT id FROM message WHERE conversation_id IN (\(ofCustomer))"
        try db.run("DELETE FROM outbox WHERE message_id IN (\(messagesOfCustomer))", [customer])
        try db.run(
            """
            DELETE FROM pending_delivery_report WHERE (channel_id, provider_message_id) IN (
                SELECT channel_id, provider_message_id FROM message
                WHERE conversation_id IN (\(ofCustomer)) AND provider_message_id IS NOT NULL)
            """, [customer])
        try db.run("DELETE FROM dedupe_key WHERE conversation_id IN (\(ofCustomer))", [customer])
        // Events still waiting for a remote core name the customer too (§11).
        try db.run("DELETE FROM core_event WHERE conversation_id IN (\(ofCustomer))", [customer])
        try db.run("DELETE FROM core_queue WHERE conversation_id IN (\(ofCustomer))", [customer])
        // The status history goes with its messages (ON DELETE CASCADE).
        try db.run("DELETE FROM message WHERE conversation_id IN (\(ofCustomer))", [customer])
        let messages = db.changesCount
        try db.run("DELETE FROM conversation WHERE customer_phone = ?", [customer])
        let conversationCount = db.changesCount
        // Conversations of other numbers linked to these contacts (a number changed since) unlink (ON DELETE SET NULL).
        try db.run("DELETE FROM contact WHERE mobile_phone_e164 = ?", [customer])
        let contacts = db.changesCount
        try db.run("DELETE FROM concatenation_part WHERE customer_phone = ?", [customer])
        // Agents' replay logs carry notifications and messages of the customer: forget those events. Ids are
        // matched as whole JSON strings (a short imported contact id must not match inside other values).
        for term in [customer] + (conversationIDs + contactIDs).map({ "\"\($0)\"" }) {
            try db.run("DELETE FROM agent_event WHERE instr(data, ?) > 0", [term])
        }
        return CustomerErasureResult(
            contacts: contacts, conversations: conversationCount, messages: messages, openConversationIDs: openIDs)
    }
}
