import Foundation
import Switchboard

/// The JSON of each event to the external core (CONTRACT.md §11): the fields every event has, then its own.
enum CoreEventBodies {
    /// What every event says about its conversation.
    struct Envelope {
        var id: String
        var type: String
        var createdAt: Date
        var conversationID: String
        var channelID: String
        var medium: Medium
        var customer: NotificationCustomer

        init(id: String, type: String, at createdAt: Date, conversation: Conversation) {
            self.id = id
            self.type = type
            self.createdAt = createdAt
            conversationID = conversation.id
            channelID = conversation.channelID
            medium = conversation.medium
            customer = NotificationCustomer(phone: conversation.customerPhone, match: conversation.match)
        }

        init(id: String, type: String, request: NotificationRequest) {
            self.id = id
            self.type = type
            createdAt = request.createdAt
            conversationID = request.conversationID
            channelID = request.channelID
            medium = request.medium
            customer = request.customer
        }

        /// The event with its own fields, as queued.
        func event(_ fields: some Encodable) throws -> CoreEvent {
            CoreEvent(
                id: id, conversationID: conversationID, type: type,
                body: try ContractJSON.string(Body(envelope: self, fields: fields)), createdAt: createdAt)
        }
    }

    /// The envelope's keys followed by the event's own, flattened into one object.
    private struct Body<Fields: Encodable>: Encodable {
        let envelope: Envelope
        let fields: Fields

        enum CodingKeys: String, CodingKey {
            case id, type, createdAt, conversationId, channelId, channel, customer
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(envelope.id, forKey: .id)
            try c.encode(envelope.type, forKey: .type)
            try c.encode(envelope.createdAt, forKey: .createdAt)
            try c.encode(envelope.conversationID, forKey: .conversationId)
            try c.encode(envelope.channelID, forKey: .channelId)
            try c.encode(envelope.medium, forKey: .channel)
            try c.encode(CustomerBody(envelope.customer), forKey: .customer)
            try fields.encode(to: encoder)
        }
    }

    /// §11's `customer`: `{phone, contactId?, name?, matchCount}`.
    struct CustomerBody: Encodable {
        let phone: String
        let contactId: String?
        let name: String?
        let matchCount: Int
        init(_ customer: NotificationCustomer) {
            phone = customer.phone
            contactId = customer.contactId
            name = customer.name
            matchCount = customer.matchCount
        }
    }

    struct NotificationFields: Encodable {
        let request: NotificationRequest
        enum CodingKeys: String, CodingKey { case scenario, queue, priority, context }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(request.scenario, forKey: .scenario)
            try c.encode(request.queue, forKey: .queue)
            try c.encode(request.priority, forKey: .priority)
            try c.encodeIfPresent(JSONValue(text: request.contextJSON), forKey: .context)
        }
    }

    struct MessageFields: Encodable {
        let message: MessageBody
    }

    struct StatusFields: Encodable {
        let messageId: String
        let status: MessageStatus
        let error: ProviderErrorDetail?
    }

    struct ReasonFields: Encodable {
        let reason: String
    }

    struct NoFields: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }
}
