import Foundation

/// The contacts use cases of the agent API (CONTRACT.md §5): create a contact, find contacts by mobile number.
/// Numbers a person typed are read with the given region, else the configuration's `defaultRegion`.
public struct Contacts: Sendable {
    let store: any ContactStore
    let defaultRegion: String
    let clock: any WallClock

    public init(store: any ContactStore, defaultRegion: String, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.defaultRegion = defaultRegion
        self.clock = clock
    }

    /// Stores a new contact; `400` for an empty name, a region that is no ISO 3166 code, a number that does not
    /// parse.
    public func create(
        name: String, mobilePhone: String, region: String?, attributes: [String: String]
    ) async throws -> Contact {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw SwitchboardError.invalidRequest("contact name is empty", field: "name") }
        let region = try self.region(region)
        let number = try parse(mobilePhone, region: region, field: "mobilePhone")
        let contact = Contact(
            id: RecordID.make("ct"), name: name, mobilePhone: mobilePhone, mobilePhoneE164: number.e164,
            region: region, attributes: attributes, createdAt: clock.now())
        try await store.createContact(contact)
        return contact
    }

    /// The contacts whose mobile number is `phone` (read with `region`).
    public func find(phone: String, region: String?) async throws -> [Contact] {
        let number = try parse(phone, region: try self.region(region), field: "phone")
        return try await store.contacts(mobilePhoneE164: number.e164)
    }

    /// The contact, or `404 not-found`.
    public func contact(id: String) async throws -> Contact {
        guard let contact = try await store.contact(id: id) else {
            throw SwitchboardError.notFound("contact \(id) does not exist")
        }
        return contact
    }

    /// `PATCH /v1/contacts/{id}`: changes the keys given, keeps the others. A new `region` reads the stored number
    /// again (and a new `mobilePhone` is read with the new or the stored region). `400` naming the key for a bad
    /// value, `404` for an unknown contact. Conversations show the change at once where they link this contact;
    /// which contacts a conversation's number matches is refreshed at its next message.
    public func update(id: String, _ changes: ContactChanges) async throws -> Contact {
        var contact = try await contact(id: id)
        if let name = changes.name {
            let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else { throw SwitchboardError.invalidRequest("contact name is empty", field: "name") }
            contact.name = name
        }
        if changes.mobilePhone != nil || changes.region != nil {
            let region = changes.region == nil ? contact.region : try self.region(changes.region)
            let mobilePhone = changes.mobilePhone ?? contact.mobilePhone
            let number = try parse(
                mobilePhone, region: region, field: changes.mobilePhone == nil ? "region" : "mobilePhone")
            contact.mobilePhone = mobilePhone
            contact.mobilePhoneE164 = number.e164
            contact.region = region
        }
        if let attributes = changes.attributes { contact.attributes = attributes }
        guard try await store.updateContact(contact) else {
            throw SwitchboardError.notFound("contact \(id) does not exist")
        }
        return contact
    }

    /// `DELETE /v1/contacts/{id}`; `404` for an unknown contact.
    public func delete(id: String) async throws {
        guard try await store.deleteContact(id: id) else {
            throw SwitchboardError.notFound("contact \(id) does not exist")
        }
    }

    private func region(_ value: String?) throws -> String {
        guard let value else { return defaultRegion }
        let region = value.uppercased()
        guard region.count == 2, region.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw SwitchboardError.invalidRequest(
                "region \"\(value)\" is not an ISO 3166 alpha-2 code such as US or DE", field: "region")
        }
        return region
    }

    private func parse(_ text: String, region: String, field: String) throws -> PhoneNumber {
        do {
            return try PhoneNumber.parse(text, region: region)
        } catch {
            throw SwitchboardError.invalidRequest("\(field): \(error)", field: field)
        }
    }
}

/// The keys of `PATCH /v1/contacts/{id}`: `nil` leaves the stored value.
public struct ContactChanges: Sendable, Equatable {
    public var name: String?
    public var mobilePhone: String?
    public var region: String?
    public var attributes: [String: String]?

    public init(
        name: String? = nil, mobilePhone: String? = nil, region: String? = nil, attributes: [String: String]? = nil
    ) {
        self.name = name
        self.mobilePhone = mobilePhone
        self.region = region
        self.attributes = attributes
    }
}
