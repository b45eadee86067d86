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
