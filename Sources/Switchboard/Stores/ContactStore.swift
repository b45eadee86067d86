import Foundation

/// Contacts: who a customer's number belongs to (CONTRACT.md §5 `/v1/contacts`).
public protocol ContactStore: Sendable {
    func createContact(_ contact: Contact) async throws
    /// Inserts many contacts in one transaction; returns how many were inserted.
    @discardableResult func importContacts(_ contacts: [Contact]) async throws -> Int
    func contact(id: String) async throws -> Contact?
    /// Contacts whose mobile phone is this E.164 number, oldest first.
    func contacts(mobilePhoneE164: String) async throws -> [Contact]
}
