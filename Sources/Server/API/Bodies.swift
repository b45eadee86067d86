import Foundation
import Switchboard

// The `/v1` JSON bodies with the contract's names (CONTRACT.md §5). Fields the contract lists without `?`
// are always written, as `null` when they have no value.

struct ContactBody: Encodable {
    let contact: Contact
    init(_ contact: Contact) { self.contact = contact }

    enum CodingKeys: String, CodingKey {
        case id, name, mobilePhone, mobilePhoneE164, region, attributes, createdAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(contact.id, forKey: .id)
        try c.encode(contact.name, forKey: .name)
        try c.encode(contact.mobilePhone, forKey: .mobilePhone)
        try c.encode(contact.mobilePhoneE164, forKey: .mobilePhoneE164)
        try c.encode(contact.region, forKey: .region)
        try c.encode(contact.attributes, forKey: .attributes)
        try c.encode(contact.createdAt, forKey: .createdAt)
    }
}

struct ContactRef: Encodable {
    var id: String
    var name: String
}

/// An offer of a conversation or work item to an agent, as `offers` lists it.
struct OfferBody: Encodable, Sendable {
    var notificationId: String
    var agentId: String
    var at: Date
    var outcome: NotificationOutcome?
}

struct ConversationBody: Encodable {
    let conversation: Conversation
    let offers: [OfferBody]
    let waitingReason: String?
    /// `nil`: list form, without messages.
    let messages: [Message]?

    enum CodingKeys: String, CodingKey {
        case id, channelId, channel, queue, status, customerPhone, contact, contactCandidates, assignedAgent, context
        case createdAt, closedAt, offers, waitingReason, messages
    }

    func encode(to encoder: any Encoder) throws {
        let cv = conversation
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cv.id, forKey: .id)
        try c.encode(cv.channelID, forKey: .channelId)
        try c.encode(cv.medium, forKey: .channel)
        try c.encode(cv.queue, forKey: .queue)
        try c.encode(cv.status, forKey: .status)
        try c.encode(cv.customerPhone, forKey: .customerPhone)
        try c.encode(cv.match.contact.map { ContactRef(id: $0.id, name: $0.name) }, forKey: .contact)
        if !cv.match.candidateIDs.isEmpty { try c.encode(cv.match.candidateIDs, forKey: .contactCandidates) }
        try c.encode(cv.assignedAgent, forKey: .assignedAgent)
        try c.encodeIfPresent(JSONValue(text: cv.contextJSON), forKey: .context)
        try c.encode(cv.createdAt, forKey: .createdAt)
        try c.encodeIfPresent(cv.closedAt, forKey: .closedAt)
        try c.encode(offers, forKey: .offers)
        try c.encodeIfPresent(waitingReason, forKey: .waitingReason)
        if let messages { try c.encode(messages.map(MessageBody.init), forKey: .messages) }
    }
}
