import Foundation

/// A contact record: a customer the contact center knows. Several contacts may share a mobile number.
public struct Contact: Sendable, Codable, Hashable, Identifiable {
    public var id: String
    public var name: String
    /// The number as it was given.
    public var mobilePhone: String
    /// The number in E.164, the key inbound senders are matched on.
    public var mobilePhoneE164: String
    /// ISO 3166 alpha-2 region the number was read with.
    public var region: String
    public var attributes: [String: String]
    public var createdAt: Date

    public init(
        id: String, name: String, mobilePhone: String, mobilePhoneE164: String, region: String,
        attributes: [String: String] = [:], createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.mobilePhone = mobilePhone
        self.mobilePhoneE164 = mobilePhoneE164
        self.region = region
        self.attributes = attributes
        self.createdAt = createdAt
    }
}

/// Which contacts a customer's number matched (CONTRACT.md §6 `customer.matchCount`).
public struct ContactMatch: Sendable, Codable, Hashable {
    /// How many contacts have this mobile number (0 unknown, 1 linked, more ambiguous).
    public var count: Int
    /// The linked contact, only when exactly one matched.
    public var contact: Contact?
    /// Up to 10 ids when several matched.
    public var candidateIDs: [String]

    public init(count: Int, contact: Contact?, candidateIDs: [String]) {
        self.count = count
        self.contact = contact
        self.candidateIDs = candidateIDs
    }

    /// Builds the match from every contact with the number.
    public init(contacts: [Contact]) {
        count = contacts.count
        contact = contacts.count == 1 ? contacts[0] : nil
        candidateIDs = contacts.count > 1 ? Array(contacts.prefix(10).map(\.id)) : []
    }

    public static let none = ContactMatch(count: 0, contact: nil, candidateIDs: [])
}

public enum ConversationStatus: String, Sendable, Codable, Hashable {
    case open
    case closed
}

/// A conversation between a customer and the contact center on one channel.
public struct Conversation: Sendable, Codable, Hashable, Identifiable {
    public var id: String
    public var channelID: String
    public var medium: Medium
    public var queue: String
    public var status: ConversationStatus
    /// The customer's address: E.164 for phone numbers, else the sender as given.
    public var customerPhone: String
    public var match: ContactMatch
    public var assignedAgent: String?
    /// Bot context as JSON text (voice handoffs); `nil` when there is none.
    public var contextJSON: String?
    public var createdAt: Date
    public var closedAt: Date?

    public init(
        id: String, channelID: String, medium: Medium, queue: String, status: ConversationStatus,
        customerPhone: String, match: ContactMatch, assignedAgent: String? = nil, contextJSON: String? = nil,
        createdAt: Date, closedAt: Date? = nil
    ) {
        self.id = id
        self.channelID = channelID
        self.medium = medium
        self.queue = queue
        self.status = status
        self.customerPhone = customerPhone
        self.match = match
        self.assignedAgent = assignedAgent
        self.contextJSON = contextJSON
        self.createdAt = createdAt
        self.closedAt = closedAt
    }
}

public enum MessageDirection: String, Sendable, Codable, Hashable {
    case inbound
    case outbound
}

public enum MessageAuthor: String, Sendable, Codable, Hashable {
    case customer
    case agent
    case bot
}

/// One message of a conversation, with its current status.
public struct Message: Sendable, Codable, Hashable, Identifiable {
    public var id: String
    public var conversationID: String
    public var direction: MessageDirection
    public var author: MessageAuthor
    /// The agent who wrote an outbound message.
    public var agentID: String?
    public var text: String
    public var media: [MediaAttachment]
    public var status: MessageStatus
    public var error: ProviderErrorDetail?
    public var providerMessageID: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, conversationID: String, direction: MessageDirection, author: MessageAuthor, agentID: String? = nil,
        text: String, media: [MediaAttachment] = [], status: MessageStatus, error: ProviderErrorDetail? = nil,
        providerMessageID: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.conversationID = conversationID
        self.direction = direction
        self.author = author
        self.agentID = agentID
        self.text = text
        self.media = media
        self.status = status
        self.error = error
        self.providerMessageID = providerMessageID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A status change of a message, kept as its history.
public struct MessageStatusChange: Sendable, Codable, Hashable {
    public var messageID: String
    public var status: MessageStatus
    public var error: ProviderErrorDetail?
    public var at: Date
    public init(messageID: String, status: MessageStatus, error: ProviderErrorDetail?, at: Date) {
        self.messageID = messageID
        self.status = status
        self.error = error
        self.at = at
    }
}

/// Makes the ids of records Switchboard creates: a short prefix naming the kind, then a time-ordered UUID.
public enum RecordID {
    /// `prefix`, `_`, then the 32 lower-case hex digits of a UUID version 7 (RFC 9562: 48 bits of Unix time in
    /// milliseconds, then 74 random bits): "msg_019abc…".
    ///
    /// Time first, so that records created together have neighbouring ids: a database inserts them into the
    /// same last pages of its id indexes instead of dirtying a random page per record, which is most of what a
    /// burst of inbound messages writes. Still unique and unguessable enough for an id (74 random bits).
    public static func make(_ prefix: String, now: Date = Date()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        var generator = SystemRandomNumberGenerator()
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        for index in 6..<16 {
            let word = index < 14 ? random.0 : random.1
            bytes[index] = UInt8(truncatingIfNeeded: word >> (8 * (index % 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // RFC 9562 variant
        // Written straight from the bytes: every stored record gets one, so no Foundation string round trips.
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var digits = [UInt8](repeating: 0, count: 32)
        for (index, byte) in bytes.enumerated() {
            digits[2 * index] = hex[Int(byte >> 4)]
            digits[2 * index + 1] = hex[Int(byte & 0x0f)]
        }
        return prefix + "_" + String(decoding: digits, as: UTF8.self)
    }
}
