import Foundation

/// Durable state of the gateway: every focused store protocol at once. Implemented over SQLite
/// (`Storage.SQLiteStore`) and PostgreSQL (`PostgresStorage.PostgresStore`); both pass the same conformance suite.
/// Every method is one transaction: a webhook is answered only after the method that stored it returned.
///
/// Each part of the gateway asks for the protocols it uses (the router only ``AssignmentStore``, the outbox worker
/// ``OutboxStore`` with ``ConversationStore`` and ``OptOutStore``), so a test gives it a small fake.
public protocol Store: InboundStore, ContactStore, ConversationStore, AssignmentStore, OptOutStore, OutboxStore,
    CoreEventStore, AgentEventStore, DecisionStore, WorkItemStore, RetentionStore, ErasureStore
{
    /// Fails when the database cannot be reached (`/readyz`).
    func ping() async throws
}
