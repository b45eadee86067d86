import Foundation
import Hummingbird
import Switchboard

/// `/v1/contacts…` (CONTRACT.md §5): create and find contacts by mobile number, change and delete them
/// (supervisors and the admin) (``Contacts``).
struct ContactRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.post("/v1/contacts") { request, _ in
            _ = try services.authenticator.principal(of: request)
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(ContactInput.self, from: body, what: "new contact")
            let contact = try await services.contacts.create(
                name: input.name, mobilePhone: input.mobilePhone, region: input.region,
                attributes: input.attributes ?? [:])
            return try Response.json(ContactBody(contact), status: .created)
        }
        router.get("/v1/contacts") { request, _ in
            _ = try services.authenticator.principal(of: request)
            let query = try request.formQuery(services.configuration.limits)
            guard let phone = query.first("phone").map(ConversationRoutes.plusRestored) else {
                throw SwitchboardError.missingField("phone", in: "contact search")
            }
            let contacts = try await services.contacts.find(phone: phone, region: query.first("region"))
            return try Response.json(["contacts": contacts.map(ContactBody.init)])
        }
        router.get("/v1/contacts/:id") { request, context in
            _ = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            return try Response.json(ContactBody(try await services.contacts.contact(id: id)))
        }
        router.patch("/v1/contacts/:id") { request, context in
            let id = try context.parameters.require("id")
            try Self.requirePrivileged(try services.authenticator.principal(of: request), "change contact \(id)")
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(ContactPatchInput.self, from: body, what: "change of contact \(id)")
            let contact = try await services.contacts.update(
                id: id,
                ContactChanges(
                    name: input.name, mobilePhone: input.mobilePhone, region: input.region,
                    attributes: input.attributes))
            return try Response.json(ContactBody(contact))
        }
        router.delete("/v1/contacts/:id") { request, context in
            let id = try context.parameters.require("id")
            try Self.requirePrivileged(try services.authenticator.principal(of: request), "delete contact \(id)")
            try await services.contacts.delete(id: id)
            return Response(status: .noContent)
        }
    }

    /// Changing and deleting contacts is for supervisors and the admin (`403` for an agent).
    static func requirePrivileged(_ principal: Principal, _ action: String) throws {
        guard principal.isPrivileged else {
            throw SwitchboardError.forbidden(
                "agent \(principal.agentID ?? "") may not \(action); a supervisor or the admin may")
        }
    }
}

/// `PATCH /v1/contacts/{id}`: any of the keys of a new contact.
struct ContactPatchInput: Decodable {
    var name: String?
    var mobilePhone: String?
    var region: String?
    var attributes: [String: String]?
}

struct ContactInput: Decodable {
    var name: String
    var mobilePhone: String
    var region: String?
    var attributes: [String: String]?
}
