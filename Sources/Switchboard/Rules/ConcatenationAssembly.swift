import Foundation

/// One stored part of a concatenated SMS, as a store reads it back to assemble its message.
public struct StoredConcatenationPart: Sendable, Equatable {
    /// 1-based.
    public var part: Int
    public var total: Int
    public var text: String
    public var receivedAt: Date
    public var dedupeKey: String
    public var providerMessageID: String
    public var customerIsPhoneNumber: Bool
    public var medium: Medium
    public var queue: String

    public init(
        part: Int, total: Int, text: String, receivedAt: Date, dedupeKey: String, providerMessageID: String,
        customerIsPhoneNumber: Bool, medium: Medium, queue: String
    ) {
        self.part = part
        self.total = total
        self.text = text
        self.receivedAt = receivedAt
        self.dedupeKey = dedupeKey
        self.providerMessageID = providerMessageID
        self.customerIsPhoneNumber = customerIsPhoneNumber
        self.medium = medium
        self.queue = queue
    }
}

extension ConcatenationPart {
    /// The inbound message that the stored parts of one concatenated SMS make, complete or not: the texts in part
    /// order, each missing part replaced by ``missingMarker(part:total:)``; the lowest part's ids, its dedupe key
    /// prefixed `concat:`; received when its last part arrived. The same for every store, so that a message reads
    /// alike whichever engine assembled it. `nil` without parts.
    public static func assemble(
        _ parts: [StoredConcatenationPart], channelID: String, customerPhone: String
    ) -> InboundRecord? {
        let parts = parts.sorted { $0.part < $1.part }
        guard let first = parts.first else { return nil }
        let total = max(parts.map(\.total).max() ?? 1, parts.count)
        var texts: [Int: String] = [:]
        for part in parts { texts[part.part] = part.text }
        let text = (1...total).map { texts[$0] ?? missingMarker(part: $0, total: total) }.joined()
        return InboundRecord(
            channelID: channelID, dedupeKey: "concat:" + first.dedupeKey, providerMessageID: first.providerMessageID,
            customerPhone: customerPhone, customerIsPhoneNumber: first.customerIsPhoneNumber, medium: first.medium,
            queue: first.queue, text: text, receivedAt: parts.map(\.receivedAt).max() ?? first.receivedAt)
    }
}
