import Foundation
import Hummingbird
import Switchboard

/// `DELETE /v1/customers/{phone}` (CONTRACT.md §12): the admin erases one customer everywhere (``CustomerErasure``).
struct CustomerRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.delete("/v1/customers/:phone") { request, context in
            guard try services.authenticator.principal(of: request) == .admin else {
                throw SwitchboardError.forbidden("erasing a customer needs the adminToken")
            }
            let phone = try Self.phone(fromPathParameter: try context.parameters.require("phone"))
            let erased = try await services.erasure.erase(phone: phone)
            return try Response.json(ErasureBody(erased: erased))
        }
    }

    /// The path segment as a person typed the number: percent-decoded (`%2B` is a plus; a `+` stays one), and a
    /// leading space read as `+` as in §5's `phone` query parameter (a `+` that a client form-encoded).
    static func phone(fromPathParameter raw: String) throws -> String {
        guard let decoded = raw.removingPercentEncoding else {
            throw SwitchboardError.invalidRequest("the phone in the path has a malformed %-escape", field: "phone")
        }
        return ConversationRoutes.plusRestored(decoded)
    }
}

/// `200 {"erased": {"contacts", "conversations", "messages"}}`.
struct ErasureBody: Encodable {
    var erased: CustomerErasure.Erased
}
