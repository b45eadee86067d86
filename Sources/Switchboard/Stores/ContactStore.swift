import Foundation

/// Contacts: who a customer's number belongs to (CONTRACT.md §5 `/v1/contacts`).
public protocol ContactStore: Sendable {
    func createContact(_ contact: Contact) async throws
    /// Inserts many contacts in one transaction; returns how many were inserted.
    @discardableResult func importContacts(_ contacts: [Contact]) async throws -> Int
    func contact(id: String) async throws -> Contact?
    /// Contacts whose mobile phone is this E.164 number, oldest first.
    func contacts(mobilePhoneE164: String) async throws -> [Contact]
    /// Replaces the stored contact with the same id (name, numbers, region, attributes; `createdAt` is kept);
    /// `false` when there is none. Conversations linked to it show the change at once; their match (which
    /// contacts a number links) is refreshed the next time they are matched (the next message).
    func updateContact(_ contact: Contact) async throws -> Bool
    /// Deletes the contact; `false` when there is none. Conversations linked to it link nobody until they are
    /// matched again.
    func deleteContact(id: String) async throws -> Bool
}
