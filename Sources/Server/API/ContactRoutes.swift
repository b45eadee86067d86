import Foundation
import Hummingbird
import Switchboard

/// `/v1/contacts…` (CONTRACT.md §5): create and find contacts by mobile number.
struct ContactRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/contacts") { request, _ in
            _ = try services.authenticator.principal(of: request)
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(ContactInput.self, from: body, what: "new contact")
            let contact = try makeContact(input)
            try await services.store.createContact(contact)
            return try Response.json(ContactBody(contact), status: .created)
        }
        router.get("/v1/contacts") { request, _ in
            _ = try services.authenticator.principal(of: request)
            let query = request.uri.queryParameters
            guard let phone = query["phone"].map({ ConversationRoutes.plusRestored(String($0)) }) else {
                throw SwitchboardError.missingField("phone", in: "contact search")
            }
            let region = try region(query["region"].map(String.init))
            let number = try parse(phone, region: region, field: "phone")
            let contacts = try await services.store.contacts(mobilePhoneE164: number.e164)
            return try Response.json(["contacts": contacts.map(ContactBody.init)])
        }
        router.get("/v1/contacts/:id") { request, context in
            _ = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            guard let contact = try await services.store.contact(id: id) else {
                throw SwitchboardError.notFound("contact \(id) does not exist")
            }
            return try Response.json(ContactBody(contact))
        }
    }

    private func makeContact(_ input: ContactInput) throws -> Contact {
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw SwitchboardError.invalidRequest("contact name is empty", field: "name") }
        let region = try region(input.region)
        let number = try parse(input.mobilePhone, region: region, field: "mobilePhone")
        return Contact(
            id: RecordID.make("ct"), name: name, mobilePhone: input.mobilePhone, mobilePhoneE164: number.e164,
            region: region, attributes: input.attributes ?? [:], createdAt: services.clock.now())
    }

    private func region(_ value: String?) throws -> String {
        guard let value else { return services.configuration.defaultRegion }
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

struct ContactInput: Decodable {
    var name: String
    var mobilePhone: String
    var region: String?
    var attributes: [String: String]?
}
