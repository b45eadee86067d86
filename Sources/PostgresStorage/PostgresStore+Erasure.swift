import Foundation
import PostgresNIO
import Switchboard

// Erasing one customer (CONTRACT.md §12) in one transaction. The customer's conversations are locked first, so a
// message arriving meanwhile waits and then opens a new conversation instead of joining a deleted one.

extension PostgresStore {
    public func eraseCustomer(_ customer: String) async throws -> CustomerErasureResult {
        try await transaction { db in try await Self.erase(customer, db) }
    }

    static func erase(_ customer: String, _ db: SQLSession) async throws -> CustomerErasureResult {
        var conversationIDs: [String] = []
        var openIDs: [String] = []
        for row in try await db.rows(
            "SELECT id, status FROM conversation WHERE customer_phone = $1 ORDER BY id FOR UPDATE", [customer])
        {
            let id: String = try row.required("id")
            let status: String = try row.required("status")
            conversationIDs.append(id)
            if status == ConversationStatus.open.rawValue { openIDs.append(id) }
        }
        let contactIDs = try await db.rows(
            "SELECT id FROM contact WHERE mobile_phone_e164 = $1 ORDER BY id FOR UPDATE", [customer]
        ).map { row -> String in try row.required("id") }
        let ofCustomer = "SELECT id FROM conversation WHERE customer_phone = $1"
        try await db.run(
            "DELETE FROM outbox WHERE message_id IN (SELECT id FROM message WHERE conversation_id IN (\(ofCustomer)))",
            [customer])
        try await db.run(
            """
            DELETE FROM pending_delivery_report WHERE (channel_id, provider_message_id) IN (
                SELECT channel_id, provider_message_id FROM message
                WHERE conversation_id IN (\(ofCustomer)) AND provider_message_id IS NOT NULL)
            """, [customer])
        try await db.run("DELETE FROM dedupe_key WHERE conversation_id IN (\(ofCustomer))", [customer])
        // Events still waiting for a remote core name the customer too (§11).
        try await db.run("DELETE FROM core_event WHERE conversation_id IN (\(ofCustomer))", [customer])
        try await db.run("DELETE FROM core_queue WHERE conversation_id IN (\(ofCustomer))", [customer])
        // The status history goes with its messages (ON DELETE CASCADE).
        let messages = try await db.run(
            "DELETE FROM message WHERE conversation_id IN (\(ofCustomer)) RETURNING 1", [customer])
        let conversations = try await db.run(
            "DELETE FROM conversation WHERE customer_phone = $1 RETURNING 1", [customer])
        // Conversations of other numbers linked to these contacts (a number changed since) unlink (ON DELETE SET NULL).
        let contacts = try await db.run("DELETE FROM contact WHERE mobile_phone_e164 = $1 RETURNING 1", [customer])
        try await db.run("DELETE FROM concatenation_part WHERE customer_phone = $1", [customer])
        // Agents' replay logs carry notifications and messages of the customer: forget those events. Ids are
        // matched as whole JSON strings (a short imported contact id must not match inside other values).
        try await db.run(
            "DELETE FROM agent_event WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS t (term) WHERE strpos(data, t.term) > 0)",
            [[customer] + (conversationIDs + contactIDs).map { "\"\($0)\"" }])
        return CustomerErasureResult(
            contacts: contacts, conversations: conversations, messages: messages, openConversationIDs: openIDs)
    }
}
