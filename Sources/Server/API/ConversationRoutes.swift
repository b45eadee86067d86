import Foundation
import Hummingbird
import Router
import Switchboard

/// `/v1/conversations…` (CONTRACT.md §5): read, reply, transfer, close.
struct ConversationRoutes: Sendable {
    let services: GatewayServices

    func register(on router: Router<ConnectionContext>) {
        router.get("/v1/conversations") { request, _ in
            let principal = try services.authenticator.principal(of: request)
            let query = try request.formQuery(services.configuration.limits)
            var filter = ConversationFilter(
                channelID: query.first("channelId"), customerPhone: query.first("customerPhone").map(Self.plusRestored))
            if let status = query.first("status") {
                guard let parsed = ConversationStatus(rawValue: String(status)) else {
                    throw SwitchboardError.invalidRequest("status must be open or closed", field: "status")
                }
                filter.status = parsed
            }
            if !principal.isPrivileged { filter.assignedAgent = principal.agentID }
            let conversations = try await services.gateway.conversations(matching: filter)
            var bodies: [ConversationBody] = []
            for conversation in conversations { bodies.append(await body(of: conversation, messages: nil)) }
            return try Response.json(["conversations": bodies])
        }
        router.get("/v1/conversations/:id") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let conversation = try await readableConversation(try context.parameters.require("id"), by: principal)
            let messages = try await services.gateway.messages(conversationID: conversation.id)
            // Its holder reading it has opened it: it is not rerouted as unseen.
            if let agentID = principal.agentID, conversation.assignedAgent == agentID {
                await services.router.opened(itemID: conversation.id, by: agentID)
            }
            return try Response.json(await body(of: conversation, messages: messages))
        }
        router.post("/v1/conversations/:id/transfer") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            guard services.configuration.router.mode == .embedded else {
                throw SwitchboardError.notFound("transfer of conversation \(id): in remote mode the core routes (§11)")
            }
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(TransferInput.self, from: body, what: "transfer of conversation \(id)")
            let target: TransferTarget
            switch (input.agentId, input.queue) {
            case (let agent?, nil): target = .agent(agent)
            case (nil, let queue?): target = .queue(queue)
            default:
                throw SwitchboardError.invalidRequest(
                    "transfer of conversation \(id): give exactly one of agentId and queue", field: "agentId")
            }
            let answer = try await services.router.transfer(
                conversationID: id, to: target, escalate: input.escalate ?? false, by: principal.routerActor)
            return try Response.json(TransferBody(answer), status: .accepted)
        }
        router.post("/v1/conversations/:id/messages") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            let conversation = try await services.gateway.heldConversation(id, by: principal.conversationActor)
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let what = "reply to conversation \(id)"
            let input = try ContractJSON.decode(ReplyInput.self, from: body, what: what).checked(what: what)
            let message = try await services.gateway.reply(
                to: conversation.id, text: input.text ?? "", media: input.media ?? [], agentID: principal.agentID)
            return try Response.json(ReplyAnswer(messageId: message.id, status: message.status), status: .accepted)
        }
        router.post("/v1/conversations/:id/connect") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            let body = try await request.body.collect(upTo: services.configuration.limits.maxBodyBytes)
            let input = try ContractJSON.decode(ConnectInput.self, from: body, what: "connect of conversation \(id)")
            let conversation = try await services.gateway.connectCall(
                conversationID: id, to: input.endpoint, by: principal.conversationActor)
            return try Response.json(
                ["conversationId": conversation.id, "endpoint": input.endpoint], status: .accepted)
        }
        router.post("/v1/conversations/:id/close") { request, context in
            let principal = try services.authenticator.principal(of: request)
            let id = try context.parameters.require("id")
            let closed = try await services.gateway.close(conversationID: id, by: principal.conversationActor)
            return try Response.json(await body(of: closed, messages: nil))
        }
    }

    /// An agent may read the conversations it holds and the one of an offer pending to it.
    private func readableConversation(_ id: String, by principal: Principal) async throws -> Conversation {
        let conversation = try await services.gateway.conversation(id: id)
        if principal.isPrivileged || conversation.assignedAgent == principal.agentID { return conversation }
        if let agent = principal.agentID, await services.router.pendingNotificationAgent(conversationID: id) == agent {
            return conversation
        }
        throw SwitchboardError.forbidden("conversation \(id) is not assigned to agent \(principal.agentID ?? "")")
    }

    private func body(of conversation: Conversation, messages: [Message]?) async -> ConversationBody {
        let offers = await services.router.offers(conversationID: conversation.id).map {
            OfferBody(notificationId: $0.notificationId, agentId: $0.agentId, at: $0.at, outcome: $0.outcome)
        }
        let waiting = conversation.status == .open && conversation.assignedAgent == nil
        return ConversationBody(
            conversation: conversation, offers: offers,
            waitingReason: waiting ? await services.router.waitingReason(conversationID: conversation.id) : nil,
            messages: messages)
    }

    /// A `+` in a query string decodes to a space: read a leading space as `+`.
    static func plusRestored(_ value: String) -> String {
        value.hasPrefix(" ") ? "+" + value.dropFirst() : value
    }
}

struct TransferInput: Decodable {
    var agentId: String?
    var queue: String?
    var escalate: Bool?
}

/// `202 {conversationId, target: {agentId} or {queue}}`.
struct TransferBody: Encodable {
    struct Target: Encodable {
        var agentId: String?
        var queue: String?
    }
    var conversationId: String
    var target: Target
    var assignedAgent: String?

    init(_ answer: TransferAnswer) {
        conversationId = answer.conversationID
        switch answer.target {
        case .agent(let id): target = Target(agentId: id)
        case .queue(let queue): target = Target(queue: queue)
        }
        assignedAgent = answer.assignedAgent
    }
}

/// `POST /v1/conversations/{id}/connect` (§11).
struct ConnectInput: Decodable {
    var endpoint: String
}

struct ReplyAnswer: Encodable {
    var messageId: String
    var status: MessageStatus
}
